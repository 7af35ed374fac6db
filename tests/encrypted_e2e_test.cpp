// Black-box tests of HAB-encrypted products through the factory: a RAM-linked, HAB-encrypted
// project exported sealed to a station, written to simulated parts that each wrap the DEK into
// their own blob and boot; what a blob removed or copied from another part does; a package no
// station but the sealed-to one can write; no DEK byte anywhere in the package.

#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "rtprov/util/bytes.hpp"
#include "rtprov/util/file.hpp"
#include "sim_part.hpp"

namespace rtprov::test {
namespace {

namespace fs = std::filesystem;

const Bytes kDek = {0x3c, 0x91, 0x5e, 0x07, 0xa8, 0x22, 0xd4, 0x6b,
                    0x19, 0xf0, 0x8e, 0x55, 0xc3, 0x7a, 0x01, 0xbd};

// An RT1020 project whose app is linked into DTCM (0x20002000): the ROM copies it from FlexSPI
// NOR to RAM, where HAB decrypts it. Signed with a fresh PKI, encrypted with kDek.
fs::path encrypted_ram_project(const fs::path& d) {
    write_rt1020_app_and_flashloader(d);  // the flashloader; the app is replaced
    Bytes app(16 * 1024);
    for (std::size_t i = 0; i < app.size(); ++i)
        app[i] = static_cast<std::uint8_t>((i * 40503) >> 5);
    store_le32(app.data(), 0x20010000);      // initial SP
    store_le32(app.data() + 4, 0x20002101);  // reset handler, in the image
    write_bytes(d / "app.bin", app);
    write_bytes(d / "dek.bin", kDek);
    write_text(d / "pass.txt", "encrypted-e2e-test\n");
    const auto keys = rtprov(fmt::format("keys -o {} --srk-count 1 --kdf-iterations 2048 "
                                         "--password-file {}",
                                         (d / "pki").string(), (d / "pass.txt").string()));
    EXPECT_EQ(keys.exit_code, 0) << keys.err;
    write_text(d / "project.yaml",
               "version: 1\ndevice: mimxrt1020\nboot_device: flexspi-nor\n"
               "app:\n  file: app.bin\n  address: 0x20002000\nfcb:\n  preset: rt1020-evk\n"
               "flashloader: fl.bin\n"
               "hab:\n  srk_table: pki/srk/SRK_table.bin\n"
               "  csf_key: pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem\n"
               "  csf_cert: pki/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem\n"
               "  img_key: pki/keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem\n"
               "  img_cert: pki/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem\n"
               "  key_password_file: pass.txt\n"
               "  signature_time: 2024-01-31T12:00:00Z\n"
               "  encrypt:\n    dek: dek.bin\n");
    return d / "project.yaml";
}

// A station key pair in DIR (station.key, station.pub).
void station_keygen(const fs::path& dir, const std::string& label) {
    const auto r = rtprov(fmt::format("station keygen --out {} --label {}", dir.string(), label));
    ASSERT_EQ(r.exit_code, 0) << r.err;
}

// The simulator's saved flash (DIR/flash.bin: repeated u32 LE offset + 4096 bytes), read
// independently of rtprov's code.
std::map<std::uint32_t, Bytes> flash_blocks(const fs::path& state) {
    const Bytes f = read_file(state / "flash.bin");
    std::map<std::uint32_t, Bytes> blocks;
    for (std::size_t at = 0; at + 4 + 4096 <= f.size(); at += 4 + 4096)
        blocks[load_le32(&f[at])] = Bytes(f.begin() + at + 4, f.begin() + at + 4 + 4096);
    return blocks;
}

void save_flash_blocks(const fs::path& state, const std::map<std::uint32_t, Bytes>& blocks) {
    Bytes f;
    for (const auto& [offset, data] : blocks) {
        Bytes off(4);
        store_le32(off.data(), offset);
        f.insert(f.end(), off.begin(), off.end());
        f.insert(f.end(), data.begin(), data.end());
    }
    write_bytes(state / "flash.bin", f);
}

// Where the part's DEK blob is (flash offset): the only place with a blob header for a 128-bit
// DEK (0x81, length 0x0048, HAB 4 0x43, CCM 0x66, AES 0x55, 16 bytes, 0).
std::optional<std::uint32_t> blob_offset(const std::map<std::uint32_t, Bytes>& blocks) {
    const Bytes header = {0x81, 0x00, 0x48, 0x43, 0x66, 0x55, 0x10, 0x00};
    for (const auto& [offset, data] : blocks) {
        const auto it = std::search(data.begin(), data.end(), header.begin(), header.end());
        if (it != data.end())
            return offset + static_cast<std::uint32_t>(it - data.begin());
    }
    return std::nullopt;
}

Bytes blob_at(const std::map<std::uint32_t, Bytes>& blocks, std::uint32_t offset) {
    const Bytes& b = blocks.at(offset & ~0xFFFu);
    const auto from = b.begin() + (offset & 0xFFF);
    return Bytes(from, from + 72);
}

struct Exported {
    TempDir t;
    fs::path zip;
};

// The project exported sealed to station A (station B exists too).
void export_sealed(Exported& e) {
    const fs::path project = encrypted_ram_project(e.t.path());
    station_keygen(e.t / "A", "line-a");
    station_keygen(e.t / "B", "line-b");
    e.zip = e.t / "pkg.zip";
    const auto r = rtprov(fmt::format("export-pkg -c {} -o {} --seal-to {}", project.string(),
                                      e.zip.string(), (e.t / "A/station.pub").string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
}

// Done when of issue 17: a HAB-encrypted (RAM-linked) package written to two simulated parts
// boots on both, each with its own blob (the two differ); the same image with the blob removed,
// or with part A's blob copied to part B, does not boot.
TEST(EncryptedE2e, EachPartMakesItsOwnBlobAndBootsOnlyWithIt) {
    Exported e;
    export_sealed(e);
    const fs::path sa = e.t / "partA", sb = e.t / "partB";
    {
        SimPart a(true, "--device mimxrt1020", sa);
        SimPart b(true, "--device mimxrt1020", sb);
        const auto r = rtprov(fmt::format("write {} -p {} -p {} --no-fuses --station-key {}",
                                          e.zip.string(), a.port(), b.port(),
                                          (e.t / "A/station.key").string()));
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
        EXPECT_NE(r.out.find("2 of 2 boards passed"), std::string::npos) << r.out;
        EXPECT_NE(r.out.find("key-blob"), std::string::npos) << r.out;
        a.stop();
        b.stop();
    }
    auto blocks_a = flash_blocks(sa);
    auto blocks_b = flash_blocks(sb);
    const auto at_a = blob_offset(blocks_a), at_b = blob_offset(blocks_b);
    ASSERT_TRUE(at_a && at_b);
    EXPECT_EQ(*at_a, *at_b);
    const Bytes blob_a = blob_at(blocks_a, *at_a), blob_b = blob_at(blocks_b, *at_b);
    EXPECT_NE(blob_a, blob_b);
    // The blob holds no DEK in the clear.
    EXPECT_EQ(std::search(blob_a.begin(), blob_a.end(), kDek.begin(), kDek.end()), blob_a.end());

    const auto boot_check = [](const fs::path& state) {
        const auto r = rtprov("--json sim --state " + state.string() + " inspect");
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return nlohmann::json::parse(r.out).at("boot_check");
    };
    EXPECT_TRUE(boot_check(sa).at("boots").get<bool>()) << boot_check(sa).dump();
    EXPECT_TRUE(boot_check(sb).at("boots").get<bool>()) << boot_check(sb).dump();

    // Part A's blob on part B: B's OTPMK does not open it.
    Bytes& block_b = blocks_b.at(*at_b & ~0xFFFu);
    std::copy(blob_a.begin(), blob_a.end(), block_b.begin() + (*at_b & 0xFFF));
    save_flash_blocks(sb, blocks_b);
    auto verdict = boot_check(sb);
    EXPECT_FALSE(verdict.at("boots").get<bool>()) << verdict.dump();
    // The blob removed (erased flash): nothing to decrypt with.
    std::fill(block_b.begin() + (*at_b & 0xFFF), block_b.begin() + (*at_b & 0xFFF) + 72, 0xFF);
    save_flash_blocks(sb, blocks_b);
    verdict = boot_check(sb);
    EXPECT_FALSE(verdict.at("boots").get<bool>()) << verdict.dump();
}

// A package sealed to station A is refused by station B (and without a station key), before
// any board is touched; import-pkg shows what is sealed and to whom.
TEST(EncryptedE2e, APackageSealedToAnotherStationIsRefused) {
    Exported e;
    export_sealed(e);
    auto r = rtprov(fmt::format("write {} -p sim:auto --no-fuses --station-key {}", e.zip.string(),
                                (e.t / "B/station.key").string()));
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("line-a"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("line-b"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("passed"), std::string::npos) << r.out;

    r = run_command(fmt::format("RTPROV_STATION_DIR={} {} write {} -p sim:auto --no-fuses",
                                (e.t / "empty").string(), kRtprov, e.zip.string()));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("--station-key"), std::string::npos) << r.err;

    r = rtprov("import-pkg " + e.zip.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("secrets: hab-dek sealed"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("line-a"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("line-b"), std::string::npos) << r.out;
}

// No byte of the DEK, raw or as hex text, is in any file of the package; without --seal-to the
// export is refused, and --insecure-plain-secrets says what it does.
TEST(EncryptedE2e, ThePackageHoldsNoDekUnlessAskedToInTheClear) {
    Exported e;
    export_sealed(e);
    const auto dump = [](const fs::path& zip) { return zip_entries_hex(zip); };
    const std::string raw = hex_of(kDek);  // the DEK's bytes, as they would appear in the dump
    std::string as_text_lower = hex_of(Bytes(raw.begin(), raw.end()));
    std::string upper = raw;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    const std::string as_text_upper = hex_of(Bytes(upper.begin(), upper.end()));
    const std::string sealed = dump(e.zip);
    ASSERT_NE(sealed.find("secrets/sealed.json"), std::string::npos) << sealed;
    EXPECT_EQ(sealed.find(raw), std::string::npos);
    EXPECT_EQ(sealed.find(as_text_lower), std::string::npos);
    EXPECT_EQ(sealed.find(as_text_upper), std::string::npos);

    const fs::path project = e.t / "project.yaml";
    auto r = rtprov(fmt::format("export-pkg -c {} -o {}", project.string(),
                                (e.t / "none.zip").string()));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("--seal-to"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(e.t / "none.zip"));

    r = rtprov(fmt::format("export-pkg -c {} -o {} --insecure-plain-secrets", project.string(),
                           (e.t / "plain.zip").string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("in the clear"), std::string::npos) << r.err;
    EXPECT_NE(dump(e.t / "plain.zip").find(as_text_lower), std::string::npos);
    r = rtprov("write " + (e.t / "plain.zip").string() + " -p sim:auto --no-fuses");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.err.find("in the clear"), std::string::npos) << r.err;
}

// HAB encryption of an image executed in place from flash is refused where it is made.
TEST(EncryptedE2e, HabEncryptionOfAnXipImageIsRefused) {
    TempDir t;
    const fs::path project = encrypted_ram_project(t.path());
    std::string yaml = read_text_file(project);
    yaml.replace(yaml.find("0x20002000"), 10, "0x60002000");
    write_text(project, yaml);
    Bytes app = read_file(t / "app.bin");
    store_le32(app.data() + 4, 0x60002101);
    write_bytes(t / "app.bin", app);
    auto r = rtprov("build -c " + project.string() + " -o " + (t / "out.bin").string());
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("use BEE"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("link the app into RAM"), std::string::npos) << r.err;
    r = rtprov(fmt::format("export-pkg -c {} -o {} --insecure-plain-secrets", project.string(),
                           (t / "pkg.zip").string()));
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("HAB encryption of an image executed in place"), std::string::npos)
        << r.err;
}

}  // namespace
}  // namespace rtprov::test
