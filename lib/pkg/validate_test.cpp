// What a package may do (issue 24, point 1): real exported packages, changed as an attacker with
// a text editor would and rehashed (tests/package_tamper.hpp), are refused when read, naming the
// entry and, where the manifest and the device database disagree, both values.

#include "rtprov/pkg/validate.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "package_tamper.hpp"
#include "rtprov/boot/image.hpp"
#include "rtprov/hab/pki.hpp"
#include "rtprov/pkg/package.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "test_support.hpp"

namespace rtprov::pkg {
namespace {

using test::step_index;
using test::tamper_package;

constexpr const char* kImage = "images/flexspi-nor.bin";

// A flashloader stand-in for the RT1020's serial downloader: IVT at its flashloader address, its
// app at +0x400.
Bytes flashloader() {
    boot::BuildOptions o;
    o.device = &device::find_device("mimxrt1020");
    o.boot_device = device::BootDevice::SerialDownloader;
    const std::uint32_t at = o.device->flashloader_address + 0x400;
    Bytes app(0x1000, 0x5A);
    store_le32(app.data(), 0x20020000);
    store_le32(app.data() + 4, at + 0x101);
    o.app.add(at, app, "flashloader");
    return boot::build_image(o).data;
}

// The RT1020-EVK example exported signed (one SRK) with a serial number at 0x60100000, and
// unsigned.
struct Exports {
    test::TempDir dir;
    Bytes signed_zip, unsigned_zip;
    Exports() {
        const auto unsigned_project = test::copy_example(dir / "unsigned");
        test::write_bytes(dir / "unsigned/fl.bin", flashloader());
        test::write_text(unsigned_project,
                         read_text_file(unsigned_project) + "flashloader: fl.bin\n");
        ExportOptions o;
        o.project = unsigned_project;
        unsigned_zip = export_package(o).zip;
        const auto project = test::copy_example(dir / "signed");
        hab::PkiOptions pki;
        pki.srk_count = 1;
        pki.rng_seed = "validate_test";
        hab::write_pki(hab::generate_pki(pki), dir / "signed/pki");
        test::write_text(project,
                         read_text_file(project) +
                             "hab:\n  srk_table: pki/srk/SRK_table.bin\n"
                             "  csf_key: pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem\n"
                             "  csf_cert: pki/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem\n"
                             "  img_key: pki/keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem\n"
                             "  img_cert: pki/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem\n"
                             "  signature_time: 2024-01-31T12:00:00Z\n"
                             "per_board:\n  - name: serial\n    source: counter\n    start: 1000\n"
                             "    address: 0x60100000\n");
        o.project = project;
        signed_zip = export_package(o).zip;
    }
};

const Exports& exports() {
    static const Exports e;
    return e;
}

// The error reading the signed package changed by `edit` ("accepted" when none).
std::string refusal(const test::PackageEdit& edit, const Bytes& zip = exports().signed_zip) {
    const Bytes changed = tamper_package(zip, edit);
    try {
        (void)verify_package(changed, {}, "0.3.0");
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadInput) << e.what();
        return e.what();
    }
    return "accepted";
}

// The signed package's manifest as exported.
const Manifest& exported() {
    static const Manifest m = verify_package(exports().signed_zip, {}, "0.3.0").manifest;
    return m;
}

std::size_t step_of(StepOp op) {
    return step_index(exported(), op);
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(PackageRules, WhatExportMakesIsAccepted) {
    for (const Bytes* zip : {&exports().signed_zip, &exports().unsigned_zip}) {
        const Package p = verify_package(*zip, {}, "0.3.0");
        EXPECT_EQ(refusal([](Manifest&, auto&) {}, *zip), "accepted");
        EXPECT_FALSE(p.manifest.write_plan.empty());
    }
}

// The attack of the issue: SRK0 at index 6 (BOOT_CFG1) with value 2 closed the part.
TEST(PackageRules, AFuseIndexOtherThanTheDatabasesIsRefusedNamingBoth) {
    EXPECT_EQ(refusal([](Manifest& m, auto&) {
                  m.fuses[0].index = 6;
                  m.fuses[0].value = 2;
              }),
              "manifest.json: fuses[0].index: 6 for SRK0, but the device database has SRK0 of "
              "mimxrt1020 at index 24 (0x18)");
}

TEST(PackageRules, OnlyTheWordsOfTheRequiredFeaturesAreBurned) {
    EXPECT_EQ(refusal([](Manifest& m, auto&) {
                  m.fuses.push_back({"BOOT_CFG1", 6, 2, LockPolicy::None, "", kWholeWord, ""});
                  m.write_plan[step_index(m, StepOp::ProgramFuses)].words.push_back("BOOT_CFG1");
              }),
              "manifest.json: fuses[8].word: BOOT_CFG1 is not a fuse word of a feature the "
              "package requires (fuse-srk: SRK0..SRK7): a package burns only those, and closes "
              "a part only through `rtprov write --close`");
    // An unsigned package burns nothing, whatever its fuses[] says.
    const std::string unsigned_srk = refusal(
        [](Manifest& m, auto&) {
            m.fuses.push_back({"SRK0", 0x18, 1, LockPolicy::None, "", kWholeWord, ""});
            WriteStep s;
            s.op = StepOp::ProgramFuses;
            s.words = {"SRK0"};
            m.write_plan.insert(m.write_plan.end() - 1, s);
        },
        exports().unsigned_zip);
    EXPECT_TRUE(has(unsigned_srk,
                    "fuses[0].word: SRK0 is not a fuse word of a feature the "
                    "package requires (none)"))
        << unsigned_srk;
}

TEST(PackageRules, ALockFieldOtherThanTheWordsLockIsRefused) {
    EXPECT_EQ(refusal([](Manifest& m, auto&) {
                  m.write_plan[step_index(m, StepOp::LockFuses)].field = "SEC_CONFIG[1]";
              }),
              fmt::format("manifest.json: write_plan[{}].field: ", step_of(StepOp::LockFuses)) +
                  "SEC_CONFIG[1] is not the lock field of a word "
                  "a program-fuses step before it burns (SRK_LOCK): a plan locks only the words it "
                  "burns, and closes a part only through `rtprov write --close`");
    EXPECT_EQ(refusal([](Manifest& m, auto&) { m.fuses[2].lock_field = "SDP_DISABLE"; }),
              "manifest.json: fuses[2].lock_field: SDP_DISABLE for SRK2, but the device database "
              "locks SRK2 with SRK_LOCK");
    const std::string sdp = refusal([](Manifest& m, auto&) {
        m.write_plan[step_index(m, StepOp::LockFuses)].field = "SDP_DISABLE";
    });
    EXPECT_TRUE(has(sdp, "SDP_DISABLE is not the lock field of a word")) << sdp;
}

// export-pkg refused a per-board value into BOOT_CFG1; a package read now refuses it too.
TEST(PackageRules, APerBoardFuseTargetFollowsExportsReservedWords) {
    EXPECT_EQ(refusal([](Manifest& m, auto&) {
                  BoardData& d = m.write_plan[step_index(m, StepOp::PerBoardData)].data;
                  d.fuses = {"BOOT_CFG1"};
                  d.memory_id = 0;
                  d.address = 0;
              }),
              fmt::format("manifest.json: write_plan[{}].fuses: ", step_of(StepOp::PerBoardData)) +
                  "serial: fuse word BOOT_CFG1 holds the part's "
                  "identity or security settings (SEC_CONFIG[1])");
    const device::Device& dev = device::find_device("mimxrt1060");
    EXPECT_EQ(board_fuse_word_problem(dev, "MAC0"), std::nullopt);
    EXPECT_EQ(board_fuse_word_problem(dev, "GP1"), std::nullopt);
    for (const char* word : {"LOCK", "UUID0", "BOOT_CFG0", "BOOT_CFG2", "TESTER_CFG", "USB_ID",
                             "SRK_REVOKE", "SW_GP2_0", "MISC_CONF0"}) {
        const auto why = board_fuse_word_problem(dev, word);
        ASSERT_TRUE(why) << word;
        EXPECT_TRUE(has(*why, "holds the part's identity or security settings")) << *why;
    }
    EXPECT_EQ(board_fuse_word_problem(dev, "SRK3"), "fuse word SRK3 is burned by feature fuse-srk");
    EXPECT_EQ(board_fuse_word_problem(dev, "NOPE"), "mimxrt1060 has no fuse word 'NOPE'");
}

TEST(PackageRules, AWriteOutsideTheImagesOrItsWindowIsRefused) {
    // The OCOTP controller (programs fuses on silicon), past the flash, at the top of memory.
    for (const std::uint32_t address : {0x401F4000u, 0x607FF000u, 0xFFFFF000u}) {
        const std::string why = refusal([&](Manifest& m, auto&) {
            m.write_plan[step_index(m, StepOp::Write)].address = address;
            m.write_plan[step_index(m, StepOp::Verify)].address = address;
        });
        EXPECT_EQ(why, fmt::format("manifest.json: write_plan[{}]: writes images/flexspi-nor.bin "
                                   "at 0x{:08x} of memory 0x9, which is not an image of images[] "
                                   "where images[] puts it: a plan writes exactly the images it "
                                   "declares",
                                   step_of(StepOp::Write), address));
    }
    // images[] moved with it: the image's own IVT says where it goes.
    EXPECT_EQ(refusal([](Manifest& m, auto&) {
                  m.images[0].address = 0x607FF000;
                  for (auto& s : m.write_plan)
                      if (s.op == StepOp::Write || s.op == StepOp::Verify)
                          s.address = 0x607FF000;
              }),
              "manifest.json: images[0].address: 0x607ff000, but images/flexspi-nor.bin's IVT and "
              "the flexspi-nor layout of mimxrt1020 put its byte 0 at 0x60000000");
    EXPECT_EQ(refusal([](Manifest& m, auto&) {
                  WriteStep& e = m.write_plan[step_index(m, StepOp::Erase)];
                  e.address = 0x401F4000;
              }),
              fmt::format("manifest.json: write_plan[{}]: 0x401f4000 + {}", step_of(StepOp::Erase),
                          exported().write_plan[step_of(StepOp::Erase)].length) +
                  " bytes is outside memory 0x9's window (flexspi 0x60000000..0x6fffffff of "
                  "mimxrt1020): it is the OCOTP fuse controller");
}

// --close HAB-verified images[] while the plan wrote something else.
TEST(PackageRules, TheWriteStepsWriteExactlyTheImagesOfImages) {
    const Bytes copy = verify_package(exports().unsigned_zip, {}, "0.3.0").files.at(kImage);
    const auto add_copy = [&](Manifest& m, std::map<std::string, Bytes>& files) {
        files["images/copy.bin"] = copy;
        m.files.push_back({"images/copy.bin", "", 0, FileRole::Image});
    };
    EXPECT_EQ(refusal([&](Manifest& m, auto& files) {
                  add_copy(m, files);
                  for (auto& s : m.write_plan)
                      if (s.op == StepOp::Write || s.op == StepOp::Verify)
                          s.file = "images/copy.bin";
              }),
              fmt::format("manifest.json: write_plan[{}]: writes images/copy.bin at 0x60000000 of "
                          "memory 0x9, which is not an image of images[] where images[] puts it: "
                          "a plan writes exactly the images it declares",
                          step_of(StepOp::Write)));
    EXPECT_EQ(refusal([&](Manifest& m, auto& files) {
                  add_copy(m, files);
                  m.images[0].file = "images/copy.bin";
                  for (auto& s : m.write_plan)
                      if (s.op == StepOp::Write || s.op == StepOp::Verify)
                          s.file = "images/copy.bin";
              }),
              "manifest.json: images[0].signed: true, but images/copy.bin has no CSF");
    EXPECT_EQ(refusal([](Manifest& m, auto&) { m.images.clear(); }),
              "manifest.json: images: empty: a package holds the image its boards boot");
    const std::string unwritten = refusal([](Manifest& m, auto&) {
        std::erase_if(m.write_plan, [](const WriteStep& s) {
            return s.op == StepOp::Write || s.op == StepOp::Verify || s.op == StepOp::Erase;
        });
    });
    EXPECT_EQ(
        unwritten,
        "manifest.json: images[0]: images/flexspi-nor.bin is never written by the write plan");
}

TEST(PackageRules, APerBoardFlashValueOverTheImageOrItsCsfIsRefused) {
    const Bytes image = verify_package(exports().signed_zip, {}, "0.3.0").files.at(kImage);
    const boot::ParsedImage parsed = boot::parse_boot_image(image, kImage);
    ASSERT_NE(parsed.ivt.csf, 0u);
    const std::uint32_t csf = exported().images[0].address + (parsed.ivt.csf - parsed.file_address);
    const std::string why = refusal([&](Manifest& m, auto&) {
        m.write_plan[step_index(m, StepOp::PerBoardData)].data.address = csf + 0x10;
    });
    EXPECT_EQ(why, fmt::format("manifest.json: write_plan[{}].address: serial: 0x{:08x}..0x{:08x} "
                               "overlaps images[0] images/flexspi-nor.bin at 0x60000000..0x{:08x} "
                               "(the image, its CSF and what its boot data loads)",
                               step_of(StepOp::PerBoardData), csf + 0x10, csf + 0x13,
                               0x60000000 + image.size() - 1));
}

// The erase length is 64 bits: 2^32 + 4096 was cut to one sector.
TEST(PackageRules, AnEraseBeyondTheWindowOrOfNothingThePlanWritesIsRefused) {
    EXPECT_EQ(refusal([](Manifest& m, auto&) {
                  m.write_plan[step_index(m, StepOp::Erase)].length = (1ull << 32) + 4096;
              }),
              fmt::format("manifest.json: write_plan[{}]: 0x60000000 + 4294971392 bytes is "
                          "outside memory 0x9's window (flexspi 0x60000000..0x6fffffff of "
                          "mimxrt1020)",
                          step_of(StepOp::Erase)));
    EXPECT_EQ(refusal([](Manifest& m, auto&) {
                  WriteStep& e = m.write_plan[step_index(m, StepOp::Erase)];
                  e.address = 0x607FF000;
                  e.length = 0x5000;
              }),
              fmt::format("manifest.json: write_plan[{}]: erases 0x607ff000..0x60803fff of "
                          "memory 0x9, which no later step writes: a plan erases only the image "
                          "or FCB it then writes",
                          step_of(StepOp::Erase)));
    // Not on a sector boundary: rounded out, the erase would take the bytes before it.
    EXPECT_EQ(refusal([](Manifest& m, auto&) {
                  WriteStep& e = m.write_plan[step_index(m, StepOp::Erase)];
                  e.address += 0x1800;
                  e.length -= 0x1800;
              }),
              fmt::format("manifest.json: write_plan[{}].address: an erase of NOR flash starts "
                          "on a 4 KiB sector boundary, not at 0x60001800: rounded out to its "
                          "sector it would erase the bytes before it",
                          step_of(StepOp::Erase)));
    // Erased again after the write and its verify: the board would hold nothing.
    const std::string after = refusal([](Manifest& m, auto&) {
        const WriteStep erase = m.write_plan[step_index(m, StepOp::Erase)];
        m.write_plan.insert(
            m.write_plan.begin() + static_cast<std::ptrdiff_t>(step_index(m, StepOp::Verify) + 1),
            erase);
    });
    EXPECT_TRUE(has(after, "which no later step writes")) << after;
}

TEST(PackageRules, PerBoardFlashValuesComeAfterTheImages) {
    EXPECT_EQ(refusal([](Manifest& m, auto&) {
                  const std::size_t at = step_index(m, StepOp::PerBoardData);
                  const WriteStep value = m.write_plan[at];
                  m.write_plan.erase(m.write_plan.begin() + static_cast<std::ptrdiff_t>(at));
                  m.write_plan.insert(m.write_plan.begin() + 1, value);
              }),
              "manifest.json: write_plan[2]: configure-memory after the per-board value of "
              "write_plan[1]: per-board values are written after the images");
}

TEST(PackageRules, EveryWriteIsVerified) {
    EXPECT_EQ(refusal([](Manifest& m, auto&) {
                  m.write_plan.erase(m.write_plan.begin() +
                                     static_cast<std::ptrdiff_t>(step_index(m, StepOp::Verify)));
              }),
              fmt::format("manifest.json: write_plan[{}]: the write of images/flexspi-nor.bin at "
                          "0x60000000 is not verified: every write is followed by a verify of the "
                          "same file, address and memory id before the next step",
                          step_of(StepOp::Write)));
    const std::string other = refusal([](Manifest& m, auto&) {
        m.write_plan[step_index(m, StepOp::Verify)].file = "README.txt";
    });
    EXPECT_TRUE(has(other,
                    "verifies README.txt at 0x60000000 of memory 0x9, but the step before "
                    "wrote images/flexspi-nor.bin"))
        << other;
}

TEST(PackageRules, TheSrkHashFileAndTheSrkWordsAgree) {
    const std::string word = refusal([](Manifest& m, auto&) { m.fuses[3].value ^= 1; });
    EXPECT_TRUE(has(word, "manifest.json: fuses[3].value: 0x")) << word;
    EXPECT_TRUE(has(word, "for SRK3, but fuses/srk_hash.bin gives 0x")) << word;
    // The hash file and the words changed together: the image's own SRK table disagrees.
    const std::string both = refusal([](Manifest& m, auto& files) {
        Bytes& hash = files.at("fuses/srk_hash.bin");
        hash[0] ^= 1;
        hab::SrkHash h{};
        std::copy(hash.begin(), hash.end(), h.begin());
        const hab::SrkFuseWords words = hab::srk_fuse_words(h);
        for (std::size_t i = 0; i < words.size(); ++i)
            m.fuses[i].value = words[i];
    });
    EXPECT_TRUE(has(both, "the SRK table hashes to")) << both;
    const std::string missing = refusal([](Manifest& m, auto&) {
        m.fuses.pop_back();
        auto& words = m.write_plan[step_index(m, StepOp::ProgramFuses)].words;
        words.pop_back();
    });
    EXPECT_EQ(missing,
              "manifest.json: fuses: SRK7 is missing: the SRK hash is burned as SRK0..SRK7");
}

TEST(PackageRules, AFlashloaderLoadsWhereItsIvtSaysInInternalRam) {
    const std::string why =
        refusal([](Manifest& m, auto&) { m.flashloaders[0].load_address = 0x401F4000; },
                exports().unsigned_zip);
    EXPECT_TRUE(has(why,
                    "manifest.json: flashloaders[0].load_address: 0x401f4000, but "
                    "flashloader/flashloader.bin's IVT puts its byte 0 at 0x"))
        << why;
}

// What export-pkg makes on every part satisfies the rules: FlexSPI NOR with the FCB in the image
// and without one (the flashloader programs it: an FCB-sector erase), signed, and encrypted.
TEST(PackageRules, EveryPartsSignedNorExportIsAccepted) {
    test::TempDir t;
    hab::PkiOptions pki;
    pki.srk_count = 1;
    pki.rng_seed = "validate_test_parts";
    hab::write_pki(hab::generate_pki(pki), t / "pki");
    Bytes app(0x3000);
    for (std::size_t i = 0; i < app.size(); ++i)
        app[i] = static_cast<std::uint8_t>(i * 13);
    store_le32(app.data(), 0x20010000);
    store_le32(app.data() + 4, 0x60002101);
    test::write_bytes(t / "app.bin", app);
    test::write_bytes(t / "dek.bin", Bytes(16, 0x42));
    store_le32(app.data() + 4, 0x20002101);
    test::write_bytes(t / "app_ram.bin", app);
    const std::string hab =
        "hab:\n  srk_table: pki/srk/SRK_table.bin\n"
        "  csf_key: pki/keys/CSF1_1_sha256_2048_65537_v3_usr_key.pem\n"
        "  csf_cert: pki/crts/CSF1_1_sha256_2048_65537_v3_usr_crt.pem\n"
        "  img_key: pki/keys/IMG1_1_sha256_2048_65537_v3_usr_key.pem\n"
        "  img_cert: pki/crts/IMG1_1_sha256_2048_65537_v3_usr_crt.pem\n"
        "  signature_time: 2024-01-31T12:00:00Z\n";
    int cases = 0;
    for (const device::Device& dev : device::all_devices()) {
        for (const bool with_fcb : {true, false}) {
            SCOPED_TRACE(fmt::format("{} {}", dev.name, with_fcb ? "with FCB" : "without FCB"));
            std::string yaml = fmt::format(
                "device: {}\nboot_device: flexspi-nor\napp:\n  file: app.bin\n"
                "  address: 0x60002000\n{}",
                dev.name, with_fcb ? "fcb: rt1020-evk\n" : "padding: false\n");
            yaml += hab;
            const bool encrypted = dev.name == "mimxrt1020" && with_fcb;
            if (encrypted) {
                // HAB encryption needs an app the ROM copies to RAM (DTCM here).
                yaml.replace(yaml.find("0x60002000"), 10, "0x20002000");
                yaml.replace(yaml.find("app.bin"), 7, "app_ram.bin");
                yaml += "  encrypt: {dek: dek.bin, nonce: 00112233445566778899aabbcc}\n";
            }
            test::write_text(t / "project.yaml", yaml);
            ExportOptions o;
            o.project = t / "project.yaml";
            o.insecure_plain_secrets = encrypted;
            const Package p = verify_package(export_package(o).zip, {}, "0.3.0");
            EXPECT_EQ(p.manifest.fuses.size(), 8u);
            ++cases;
        }
    }
    EXPECT_EQ(cases, 20);
}

}  // namespace
}  // namespace rtprov::pkg
