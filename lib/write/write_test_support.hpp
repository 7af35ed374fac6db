#pragma once
// For lib/write's tests (test-only header): simulated boards served by the simulator's own server
// (a pty or a HID-report socket, on a thread), and packages built in memory with the real image
// builder, signer and write-plan maker, so the engine runs exactly as `rtprov write` does.

#include <atomic>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "rtprov/boot/fcb.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/hab/key_io.hpp"
#include "rtprov/hab/pki.hpp"
#include "rtprov/hab/sign.hpp"
#include "rtprov/pkg/write_plan.hpp"
#include "rtprov/sim/server.hpp"
#include "rtprov/transport/transport.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/write/board.hpp"
#include "rtprov/write/job.hpp"
#include "test_support.hpp"

namespace rtprov::write::test {

inline const device::Device& rt1020() {
    return device::find_device("mimxrt1020");
}

// A flashloader stand-in at the part's flashloader address: IVT at offset 0, 4 KiB app at +0x400.
inline boot::BootImage flashloader_image() {
    boot::BuildOptions o;
    o.device = &rt1020();
    o.boot_device = device::BootDevice::SerialDownloader;
    const std::uint32_t app = rt1020().flashloader_address + 0x400;
    Bytes data(0x1000, 0x5A);
    store_le32(data.data(), 0x20020000);
    store_le32(data.data() + 4, app + 0x101);
    o.app.add(app, data, "flashloader");
    return boot::build_image(o);
}

// An XIP image with the RT1020-EVK FCB and an app of `app_size` bytes of `seed`-dependent data.
inline Bytes xip_image(std::size_t app_size = 0x6000, unsigned seed = 1) {
    boot::BuildOptions o;
    o.device = &rt1020();
    o.boot_device = device::BootDevice::FlexspiNor;
    o.fcb = boot::serialize(boot::fcb_preset("rt1020-evk"));
    Bytes data(app_size);
    for (std::size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<std::uint8_t>((i * 131 + seed * 17) ^ (i >> 8));
    store_le32(data.data(), 0x20020000);
    store_le32(data.data() + 4, 0x60002101);
    o.app.add(0x60002000, data, "app");
    return boot::build_image(o).data;
}

// A FlexSPI NOR image whose app (0x1800 bytes) is linked into the RT1020's DTCM at 0x20002000:
// the ROM copies it to RAM (image start 0x20000000), so HAB can decrypt it.
inline Bytes ram_image() {
    boot::BuildOptions o;
    o.device = &rt1020();
    o.boot_device = device::BootDevice::FlexspiNor;
    o.fcb = boot::serialize(boot::fcb_preset("rt1020-evk"));
    Bytes data(0x1800);
    for (std::size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<std::uint8_t>(i * 7 + 3);
    store_le32(data.data(), 0x20010000);
    store_le32(data.data() + 4, 0x20002101);
    o.app.add(0x20002000, data, "app");
    return boot::build_image(o).data;
}

// A throw-away PKI on disk (one SRK), made once per test binary, and signing with it.
class TestPki {
  public:
    static const TestPki& get() {
        static const TestPki pki;
        return pki;
    }
    const hab::SrkHash& hash() const { return hash_; }
    // `image` HAB-signed with SRK 1 (fixed signature time: the same bytes every run).
    Bytes sign(ByteView image, const std::string& name) const {
        return sign_with(image, name, std::nullopt).data;
    }
    // ... and HAB-encrypted with `dek` (random nonce): the result says where the DEK blob goes.
    hab::SignResult sign_encrypted(ByteView image, const std::string& name,
                                   const Bytes& dek) const {
        return sign_with(image, name, hab::EncryptSettings{dek, std::nullopt});
    }

  private:
    hab::SignResult sign_with(ByteView image, const std::string& name,
                              std::optional<hab::EncryptSettings> encrypt) const {
        const std::filesystem::path d = dir_.path();
        hab::SignSettings s;
        s.srk_table = d / "srk/SRK_table.bin";
        s.csf_key = d / "keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem";
        s.csf_cert = d / "crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem";
        s.img_key = d / "keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem";
        s.img_cert = d / "crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem";
        s.signature_time = hab::parse_signature_time("2024-01-31T12:00:00Z");
        s.encrypt = std::move(encrypt);
        return hab::sign_image(image, name, s);
    }

    TestPki() {
        hab::PkiOptions o;
        o.srk_count = 1;
        o.rng_seed = "write_test";
        const hab::GeneratedPki pki = hab::generate_pki(o);
        hab::write_pki(pki, dir_.path());
        hash_ = pki.fuse_hash;
    }
    rtprov::test::TempDir dir_;
    hab::SrkHash hash_{};
};

struct PackageSpec {
    Bytes image = xip_image();
    bool image_signed = false;
    std::optional<Bytes> flashloader = flashloader_image().data;
    std::optional<Bytes> signed_flashloader;
    std::optional<hab::SrkHash> srk_hash;    // adds SRK0..7 with SRK_LOCK to the fuse plan
    std::optional<pkg::NorFcbPlan> nor_fcb;  // an image without an FCB: how the plan gets one
};

// The image and the flashloader signed with TestPki, its SRK hash in the fuse plan.
inline PackageSpec signed_spec() {
    PackageSpec spec;
    spec.image = TestPki::get().sign(xip_image(), "image");
    spec.image_signed = true;
    spec.signed_flashloader = TestPki::get().sign(flashloader_image().data, "flashloader");
    spec.srk_hash = TestPki::get().hash();
    return spec;
}

// A package as export-pkg would make it, in memory: files, images, flashloaders, fuses and the
// write plan from pkg::make_write_plan.
inline pkg::Package make_package(const PackageSpec& spec) {
    pkg::Package p;
    pkg::Manifest& m = p.manifest;
    m.device = "mimxrt1020";
    m.writer = "rtprov test";
    const auto add = [&](const std::string& path, const Bytes& data, pkg::FileRole role) {
        m.files.push_back({path, hab::hash_hex(hab::sha256(data)), data.size(), role});
        p.files[path] = data;
    };
    add("images/flexspi-nor.bin", spec.image, pkg::FileRole::Image);
    m.images.push_back(pkg::place_image(rt1020(), device::BootDevice::FlexspiNor,
                                        "images/flexspi-nor.bin", spec.image, spec.image_signed));
    if (spec.flashloader) {
        add("flashloader/flashloader.bin", *spec.flashloader, pkg::FileRole::Flashloader);
        m.flashloaders.push_back(
            pkg::place_flashloader("flashloader/flashloader.bin", *spec.flashloader, false));
    }
    if (spec.signed_flashloader) {
        add("flashloader/flashloader_signed.bin", *spec.signed_flashloader,
            pkg::FileRole::Flashloader);
        m.flashloaders.push_back(pkg::place_flashloader("flashloader/flashloader_signed.bin",
                                                        *spec.signed_flashloader, true));
    }
    if (spec.srk_hash) {
        const hab::SrkFuseWords words = hab::srk_fuse_words(*spec.srk_hash);
        for (std::size_t i = 0; i < words.size(); ++i) {
            const std::string name = fmt::format("SRK{}", i);
            m.fuses.push_back({name, rt1020().fuse(name)->index, words[i],
                               pkg::LockPolicy::AfterVerify, "SRK_LOCK", pkg::kWholeWord, ""});
        }
    }
    m.write_plan = pkg::make_write_plan(
        m, [&](const std::string& path) -> ByteView { return p.files.at(path); }, spec.nor_fcb);
    return p;
}

// The job for `spec` as `rtprov write` makes it (the "zip" is a stand-in: only its hash is used).
inline Job make_test_job(const PackageSpec& spec, const WriteOptions& options = {}) {
    const std::string zip = "package of the test";
    return make_job(make_package(spec), Bytes(zip.begin(), zip.end()), std::nullopt, options);
}

// A simulated RT1020 served by sim::serve on a thread: a pty (UART) or a HID-report socket. The
// chip may be prepared and inspected while the server is stopped.
class SimBoard {
  public:
    explicit SimBoard(bool hid = false, const std::string& faults = "",
                      const device::Device& part = rt1020())
        : chip_(part), hid_(hid), faults_(sim::parse_fault_spec(faults)) {}
    ~SimBoard() { stop(); }
    SimBoard(const SimBoard&) = delete;
    SimBoard& operator=(const SimBoard&) = delete;

    sim::Chip& chip() { return chip_; }

    // Powers the part on (boot ROM) and serves it until stop().
    void start() {
        chip_.reset();
        stop_ = false;
        std::promise<void> ready;
        auto started = ready.get_future();
        thread_ = std::thread([this, p = std::move(ready)]() mutable {
            sim::ServerOptions o;
            o.link = hid_ ? sim::LinkKind::Hid : sim::LinkKind::Uart;
            o.hid_socket = dir_.path() / "hid.sock";
            o.faults = faults_;
            sim::ServerCallbacks cb;
            bool told = false;
            cb.on_endpoint = [&](const std::string& endpoint) {
                std::lock_guard lock(mutex_);
                endpoint_ = endpoint;
                if (!told)
                    p.set_value();
                told = true;
            };
            try {
                sim::serve(chip_, o, cb, stop_);
            } catch (const Error&) {
                if (!told)
                    p.set_value();
            }
        });
        started.get();
    }
    void stop() {
        stop_ = true;
        if (thread_.joinable())
            thread_.join();
    }
    std::string endpoint() const {
        std::lock_guard lock(mutex_);
        return endpoint_;
    }
    // The port the engine opens (again after a link failure: the current pty).
    Port port(const std::string& name = "board") const {
        return {name, [this]() {
                    return hid_ ? transport::open_socket(endpoint(), true)
                                : transport::open_uart(endpoint(), 115200);
                }};
    }

  private:
    sim::Chip chip_;
    bool hid_;
    sim::FaultSpec faults_;
    rtprov::test::TempDir dir_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    mutable std::mutex mutex_;
    std::string endpoint_;
};

// The flash content at [address, address + length) of a chip (FlexSPI window addresses).
// A link whose cable is pulled after `budget` bytes sent (a negative budget never runs out): every
// send after that throws Error(Device) "cable pulled". The budget is shared, so a test can refill
// it or give a port opened again a new one.
class PulledCable : public transport::Transport {
  public:
    PulledCable(std::unique_ptr<transport::Transport> inner, std::atomic<int>& budget)
        : inner_(std::move(inner)), budget_(budget) {}
    bool is_hid() const override { return inner_->is_hid(); }
    void write(ByteView data) override {
        spend(data.size());
        inner_->write(data);
    }
    std::size_t read(std::span<std::uint8_t> buf, std::chrono::milliseconds timeout) override {
        return inner_->read(buf, timeout);
    }
    void write_report(std::uint8_t id, ByteView payload) override {
        spend(payload.size());
        inner_->write_report(id, payload);
    }
    std::optional<transport::HidReport> read_report(std::chrono::milliseconds timeout) override {
        return inner_->read_report(timeout);
    }
    void flush() override { inner_->flush(); }
    std::string describe() const override { return inner_->describe(); }
    std::optional<transport::UsbIdentity> usb_identity() override {
        return inner_->usb_identity();
    }

  private:
    void spend(std::size_t n) {
        if (budget_ >= 0 && (budget_ -= static_cast<int>(n)) < 0)
            throw Error(ErrorCode::Device, "cable pulled");
    }
    std::unique_ptr<transport::Transport> inner_;
    std::atomic<int>& budget_;
};

inline Bytes flash_at(const sim::Chip& chip, std::uint32_t address, std::size_t length) {
    return chip.flash().read(address - chip.flash_base(), static_cast<std::uint32_t>(length));
}

}  // namespace rtprov::write::test
