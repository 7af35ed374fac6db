// rtprov_fuzz_seeds DIR: writes seed inputs for the protocol targets into DIR/<target>/, recorded
// from real exchanges between rtprov's clients and the simulator's session (in process): what
// the host sent becomes a device-side seed, what the device answered a host-side seed, both in
// the layout of protocol_fuzz.hpp. The file-format targets are seeded by scripts/fuzz from
// rtprov's own outputs (built images, packages, SB files).

#include <cstdio>
#include <filesystem>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "host_ops.hpp"
#include "rtprov/device/device.hpp"
#include "rtprov/sim/chip.hpp"
#include "rtprov/sim/session.hpp"
#include "rtprov/util/file.hpp"
#include "sim_session_fuzz.hpp"

namespace {

using namespace rtprov;

void put_le(Bytes& out, std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// Connects a client to a simulated chip in process and records both directions.
class RecordingLink final : public transport::Transport {
  public:
    RecordingLink(sim::Session& session, bool hid) : session_(&session), hid_(hid) {}

    bool is_hid() const override { return hid_; }
    void write(ByteView data) override {
        host_piece(data);
        const Bytes out = session_->on_bytes(data);
        rx_.insert(rx_.end(), out.begin(), out.end());
    }
    std::size_t read(std::span<std::uint8_t> buf, std::chrono::milliseconds /*timeout*/) override {
        const std::size_t n = std::min(buf.size(), rx_.size());
        std::copy_n(rx_.begin(), n, buf.begin());
        device_.insert(device_.end(), rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(n));
        rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(n));
        return n;
    }
    void write_report(std::uint8_t id, ByteView payload) override {
        Bytes piece{id};
        piece.insert(piece.end(), payload.begin(), payload.end());
        host_piece(piece);
        for (auto& r : session_->on_report({id, Bytes(payload.begin(), payload.end())}))
            reports_.push_back(std::move(r));
    }
    std::optional<transport::HidReport> read_report(
        std::chrono::milliseconds /*timeout*/) override {
        if (reports_.empty())
            return std::nullopt;
        transport::HidReport r = std::move(reports_.front());
        reports_.pop_front();
        device_.push_back(r.id);
        put_le(device_, r.data.size(), 2);
        device_.insert(device_.end(), r.data.begin(), r.data.end());
        return r;
    }
    void flush() override {}
    std::string describe() const override { return "seed recorder"; }

    // What the device sent since the last call.
    Bytes take_device_bytes() { return std::exchange(device_, {}); }
    const Bytes& host_stream() const { return host_; }

  private:
    void host_piece(ByteView piece) {
        put_le(host_, piece.size(), 2);
        host_.insert(host_.end(), piece.begin(), piece.end());
    }

    sim::Session* session_;
    bool hid_;
    Bytes rx_;
    std::deque<transport::HidReport> reports_;
    Bytes device_;  // recorded device bytes (host-side seed)
    Bytes host_;    // recorded host pieces (device-side seed)
};

struct Recording {
    Bytes host_seed;    // flags + operations
    Bytes device_seed;  // flags + host pieces
};

template <class Client, class Run>
Recording record(const char* part, int part_index, bool hid, sim::ChipMode mode,
                 const std::vector<fuzz::HostOperation>& ops, Run run) {
    sim::Chip chip(device::find_device(part), sim::FlashGeometry{256 * 1024, 4096, 256});
    chip.set_mode(mode);
    sim::Session session(chip, nullptr);
    RecordingLink link(session, hid);
    Client client(link, std::chrono::milliseconds(1));
    Recording rec;
    rec.host_seed.push_back(hid ? 1 : 0);
    for (const auto& op : ops) {
        try {
            run(client, op);
        } catch (const Error&) {
            // A refused operation is an exchange worth seeding too.
        }
        const Bytes device = link.take_device_bytes();
        rec.host_seed.push_back(op.op);
        put_le(rec.host_seed, op.address, 4);
        put_le(rec.host_seed, op.arg, 4);
        put_le(rec.host_seed, device.size(), 2);
        rec.host_seed.insert(rec.host_seed.end(), device.begin(), device.end());
    }
    rec.device_seed.push_back(static_cast<std::uint8_t>((hid ? 1 : 0) | part_index << 1));
    rec.device_seed.insert(rec.device_seed.end(), link.host_stream().begin(),
                           link.host_stream().end());
    return rec;
}

void save(const std::filesystem::path& dir, const std::string& name, const Bytes& data) {
    std::filesystem::create_directories(dir);
    write_file_atomic(dir / name, data);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: rtprov_fuzz_seeds DIR\n");
        return 1;
    }
    const std::filesystem::path out = argv[1];
    using fuzz::HostOperation;
    const std::uint32_t ocram = 0x20202000;
    const std::vector<HostOperation> sdp_ops = {
        {0, 0, 0, {}},
        {1, 0x401F8000, 0x10, {}},
        {1, 0x401F8000, 0x1004, {}},
        {2, ocram, 0x12345678, {}},
        {3, ocram, 0x200, {}},
        {4, ocram, 0x40, {}},
        {5, 0, 0, {}},
        {6, ocram, 0, {}},
        {7, 0, 115200, {}},
    };
    const std::vector<HostOperation> mboot_ops = {
        {0, 0, 0, {}},
        {1, 0, 1, {}},
        {1, 0, 11, {}},
        {1, 9, 0x19, {}},
        {2, 0, 0, {}},
        {5, ocram, 4, {}},
        {8, ocram, 0, {}},
        {6, 0x60000000, 0x1000, {}},
        {4, 0x60000000, 0x300, {}},
        {3, 0x60000000, 0x300, {}},
        {3, ocram, 0x40, {}},
        {9, 0, 0x10, {}},
        {10, 1, 0x20, {}},
        {11, 0, 0x100, {}},
        {12, ocram, 0, {}},
        {13, 0, 0, {}},
        {7, 0, 0, {}},
        {14, 0, 0, {}},
    };
    int part_index = 0;
    for (const char* part : fuzz::kSimParts) {
        for (bool hid : {false, true}) {
            const std::string name = fmt::format("{}-{}", part, hid ? "hid" : "uart");
            const auto sdp = record<proto::SdpClient>(
                part, part_index, hid, sim::ChipMode::Rom, sdp_ops,
                [](proto::SdpClient& c, const HostOperation& op) { fuzz::run_sdp_op(c, op); });
            save(out / "sdp_host", name, sdp.host_seed);
            save(out / "sdp_sim", name, sdp.device_seed);
            const auto mboot = record<proto::McuBootClient>(
                part, part_index, hid, sim::ChipMode::Flashloader, mboot_ops,
                [hid](proto::McuBootClient& c, const HostOperation& op) {
                    fuzz::run_mboot_op(c, op, hid);
                });
            save(out / "mboot_host", name, mboot.host_seed);
            save(out / "mboot_sim", name, mboot.device_seed);
        }
        ++part_index;
    }
    return 0;
}
