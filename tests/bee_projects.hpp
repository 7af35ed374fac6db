#pragma once
// For tests (test-only header): BEE projects on disk for the RT1050/RT1060, exported with the
// real export_package. OTPMK mode: HAB-signed with a throw-away PKI, built without padding (the
// image starts at its IVT; the flashloader programs the FCB and the BEE header). User-key mode:
// unsigned, with the board's FCB preset and padding (the headers go to 0x400), the protected
// range after the boot structures. The app executes in place at 0x60002000.

#include <filesystem>
#include <map>
#include <string>

#include <fmt/format.h>

#include "rtprov/bee/bee.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/hab/pki.hpp"
#include "rtprov/pkg/package.hpp"
#include "rtprov/pkg/zip_archive.hpp"
#include "test_support.hpp"

namespace rtprov::test {

enum class BeeMode { Otpmk, UserKey };

// The user key of every user-key project (bytes as the project file gives them).
inline const bee::Key kBeeUserKey = {0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78,
                                     0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0};

// The KIB key (the key of the image data) of every user-key project.
inline const bee::Key kBeeKibKey = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                    0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};

inline std::string bee_fcb_preset(const std::string& device) {
    return device == "mimxrt1050" ? "rt1050-evkb" : "rt1060-evk";
}

// dir/fl.bin: a flashloader stand-in for `device` (IVT, boot data and a small app in its RAM at
// the flashloader address + 0x400, stack pointer `stack`).
inline void write_flashloader(const std::filesystem::path& dir, const std::string& device,
                              std::uint32_t stack) {
    boot::BuildOptions fl;
    fl.device = &device::find_device(device);
    fl.boot_device = device::BootDevice::SerialDownloader;
    Bytes code(0x1000, 0x5A);
    const std::uint32_t at = fl.device->flashloader_address + 0x400;
    store_le32(code.data(), stack);
    store_le32(code.data() + 4, at + 0x101);
    fl.app.add(at, code, "flashloader");
    write_bytes(dir / "fl.bin", boot::build_image(fl).data);
}

// Writes app.bin, fl.bin, pki/ and project.yaml into `dir`; returns the project file.
inline std::filesystem::path bee_project(const std::filesystem::path& dir,
                                         const std::string& device, BeeMode mode,
                                         const std::string& extra = "") {
    static const hab::GeneratedPki pki = [] {
        hab::PkiOptions o;
        o.srk_count = 1;
        o.rng_seed = "bee_projects";
        return hab::generate_pki(o);
    }();
    Bytes app(0x3000);
    for (std::size_t i = 0; i < app.size(); ++i)
        app[i] = static_cast<std::uint8_t>((i * 7919) >> 3);
    store_le32(app.data(), 0x20020000);
    store_le32(app.data() + 4, 0x60002101);
    write_bytes(dir / "app.bin", app);
    write_flashloader(dir, device, 0x20020000);
    std::string yaml = fmt::format(
        "version: 1\ndevice: {}\nboot_device: flexspi-nor\napp:\n  file: app.bin\n"
        "  address: 0x60002000\nflashloader: fl.bin\n",
        device);
    if (mode == BeeMode::Otpmk) {
        hab::write_pki(pki, dir / "pki");
        yaml +=
            "padding: false\n"
            "hab:\n  srk_table: pki/srk/SRK_table.bin\n"
            "  csf_key: pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem\n"
            "  csf_cert: pki/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem\n"
            "  img_key: pki/keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem\n"
            "  img_cert: pki/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem\n"
            "  signature_time: 2024-01-31T12:00:00Z\n"
            "bee:\n  mode: otpmk\n  regions:\n"
            "    - protect:\n        - {start: 0x60002000, length: 0x3000}\n";
    } else {
        // Keys from files: export-pkg refuses keys written in the project file.
        write_bytes(dir / "sw_gp2.bin", Bytes(kBeeUserKey.begin(), kBeeUserKey.end()));
        write_bytes(dir / "kib.bin", Bytes(kBeeKibKey.begin(), kBeeKibKey.end()));
        yaml += fmt::format(
            "fcb: {}\npadding: true\n"
            "bee:\n  mode: user-key\n  regions:\n    - key_file: sw_gp2.bin\n"
            "      kib_key_file: kib.bin\n"
            "      kib_iv: ffeeddccbbaa99887766554433221100\n"
            "      nonce: 0102030405060708090a0b0c\n"
            "      protect:\n        - {{start: 0x60002000, length: 0x3000}}\n",
            bee_fcb_preset(device));
    }
    write_text(dir / "project.yaml", yaml + extra);
    return dir / "project.yaml";
}

enum class OtfadMode { Otpmk, SwGp2 };

// The KEK of every SW_GP2 OTFAD project (kek.bin) and the key of its one context (ctx0.bin).
inline const bee::Key kOtfadKek = {0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6, 0x07, 0x18,
                                   0x29, 0x3A, 0x4B, 0x5C, 0x6D, 0x7E, 0x8F, 0x90};
inline const bee::Key kOtfadContextKey = {0x3c, 0x4d, 0x5e, 0x6f, 0x70, 0x81, 0x92, 0xa3,
                                          0xb4, 0xc5, 0xd6, 0xe7, 0xf8, 0x09, 0x1a, 0x2b};

// An RT1010 OTFAD project in `dir` (app.bin, fl.bin, kek.bin, ctx0.bin, project.yaml); returns
// the project file. SW_GP2: the KEK from kek.bin, the image with the key blobs from offset 0
// (padding, the EVK's FCB). OTPMK (the low half): no key at all, the image from its IVT (no
// padding: the flashloader programs the FCB and the key blobs). Either way one encrypted range,
// the application (0x60002000+0x3000): the boot structures stay in the clear.
inline std::filesystem::path otfad_project(const std::filesystem::path& dir, OtfadMode mode,
                                           const std::string& extra = "") {
    Bytes app(0x3000);
    for (std::size_t i = 0; i < app.size(); ++i)
        app[i] = static_cast<std::uint8_t>((i * 7919) >> 3);
    store_le32(app.data(), 0x20002000);
    store_le32(app.data() + 4, 0x60002101);
    write_bytes(dir / "app.bin", app);
    write_bytes(dir / "kek.bin", Bytes(kOtfadKek.begin(), kOtfadKek.end()));
    write_bytes(dir / "ctx0.bin", Bytes(kOtfadContextKey.begin(), kOtfadContextKey.end()));
    write_flashloader(dir, "mimxrt1010", 0x20002000);
    std::string yaml =
        "version: 1\ndevice: mimxrt1010\nboot_device: flexspi-nor\napp:\n  file: app.bin\n"
        "  address: 0x60002000\nflashloader: fl.bin\nfcb: rt1010-evk\n";
    if (mode == OtfadMode::SwGp2) {
        yaml += "padding: true\notfad:\n  kek_source: sw-gp2\n  kek_file: kek.bin\n  regions:\n"
                "    - {start: 0x60002000, length: 0x3000, key_file: ctx0.bin, "
                "counter: '0011223344556677'}\n";
    } else {
        yaml += "padding: false\notfad:\n  kek_source: otpmk-low\n  regions:\n"
                "    - {start: 0x60002000, length: 0x3000}\n";
    }
    write_text(dir / "project.yaml", yaml + extra);
    return dir / "project.yaml";
}

// The exported package's files by path (manifest.json left out), from its zip.
inline std::map<std::string, Bytes> package_files(const pkg::ExportedPackage& out) {
    std::map<std::string, Bytes> files;
    for (auto& e : pkg::read_zip(out.zip, pkg::ZipLimits{}))
        if (e.name != "manifest.json")
            files.emplace(e.name, std::move(e.data));
    return files;
}

}  // namespace rtprov::test
