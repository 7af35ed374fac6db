// BEE projects through export_package (issue 17): OTPMK packages keep the image plain and let
// the flashloader encrypt; user-key packages carry the encrypted image and the key only as
// secrets; the BEE fuse words validate, and tampered ones do not.

#include <algorithm>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "bee_projects.hpp"
#include "export_test_support.hpp"
#include "rtprov/pkg/validate.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::pkg {
namespace {

using test::BeeMode;
using namespace test_support;

TEST(ExportBee, OtpmkKeepsTheImagePlainAndHasTheFlashloaderEncrypt) {
    for (const std::string device : {"mimxrt1050", "mimxrt1060"}) {
        test::TempDir t;
        const ExportedPackage out = exported(test::bee_project(t.path(), device, BeeMode::Otpmk));
        const Manifest& m = out.manifest;
        EXPECT_TRUE(needs_feature(m, "bee-otpmk")) << device;
        EXPECT_TRUE(out.secrets.empty());
        // The package's image is the signed plain image: it parses, from its IVT at 0x60001000.
        EXPECT_EQ(m.images.front().address, 0x60001000u);
        EXPECT_EQ(ops(m), (std::vector<std::string>{
                              "load-flashloader", "configure-memory 0xC0000007", "erase", "erase",
                              "configure-memory 0xF000000F", "configure-memory 0xE0110000",
                              "write", "verify", "program-fuses", "lock-fuses SRK_LOCK",
                              "reset"}))
            << device;
        const auto bee_step = std::find_if(m.write_plan.begin(), m.write_plan.end(),
                                           [](const WriteStep& s) {
                                               return !s.option_words.empty() &&
                                                      s.option_words[0] == 0xE0110000;
                                           });
        EXPECT_EQ(bee_step->option_words,
                  (std::vector<std::uint32_t>{0xE0110000, 0x60002000, 0x3000}));
        // ENCRYPTED_XIP is BOOT_CFG0 bit 1 on these parts; BEE_KEY0_SEL = 2 (OTPMK) in bits
        // 13:12 and BT_FUSE_SEL (bit 4) of BOOT_CFG1.
        EXPECT_EQ(fuse(m, "BOOT_CFG0"),
                  (FuseWordPlan{"BOOT_CFG0", 5, 0x2, LockPolicy::None, "", 0x2, ""}));
        EXPECT_EQ(fuse(m, "BOOT_CFG1"),
                  (FuseWordPlan{"BOOT_CFG1", 6, 0x2010, LockPolicy::None, "", 0x3010, ""}));
        EXPECT_EQ(m.write_plan[8].words.back(), "BOOT_CFG1");
        // What import-pkg and write read back.
        const Package p = verify_package(out.zip, {}, "0.3.0");
        EXPECT_EQ(p.manifest.fuses, m.fuses);
    }
}

TEST(ExportBee, OtpmkNeedsAHabSignedImageAndNoPadding) {
    test::TempDir t;
    const auto project = test::bee_project(t.path(), "mimxrt1060", BeeMode::Otpmk);
    std::string yaml = read_text_file(project);
    const auto hab = yaml.find("hab:");
    const auto bee = yaml.find("bee:");
    test::write_text(project, yaml.substr(0, hab) + yaml.substr(bee));
    EXPECT_NE(usage_error(project).find("otpmk: NXP offers BEE with OTPMK only for HAB-signed "
                                        "images"),
              std::string::npos);
    test::write_text(project, std::string(yaml).replace(yaml.find("padding: false"), 14,
                                                        "fcb: rt1060-evk\npadding: true"));
    EXPECT_NE(usage_error(project).find("otpmk: the image starts at 0x60000000 and would be "
                                        "written over the BEE header the flashloader writes at "
                                        "0x60000400"),
              std::string::npos)
        << usage_error(project);
}

TEST(ExportBee, UserKeyCarriesTheEncryptedImageAndTheKeyOnlyAsSecrets) {
    for (const std::string device : {"mimxrt1050", "mimxrt1060"}) {
        test::TempDir t;
        const ExportedPackage out =
            exported(test::bee_project(t.path(), device, BeeMode::UserKey));
        const Manifest& m = out.manifest;
        EXPECT_TRUE(needs_feature(m, "bee-user-key"));
        // SPSDK's word order: SW_GP2_0 (lowest address) holds key bytes 12..15, big-endian.
        const bee::Key& k = test::kBeeUserKey;
        ASSERT_EQ(out.secrets.size(), 4u);
        for (std::uint32_t w = 0; w < 4; ++w) {
            const std::string word = fmt::format("SW_GP2_{}", w);
            EXPECT_EQ(out.secrets[w].name, "fuse:" + word);
            const Bytes le = {k[15 - 4 * w], k[14 - 4 * w], k[13 - 4 * w], k[12 - 4 * w]};
            EXPECT_EQ(out.secrets[w].value, le) << word;
            EXPECT_EQ(fuse(m, word), (FuseWordPlan{word, 0x29 + w, 0, LockPolicy::AfterVerify,
                                                   "SW_GP2_LOCK", kWholeWord, "fuse:" + word}));
        }
        EXPECT_EQ(fuse(m, "BOOT_CFG1").value, 0x3010u);  // BEE_KEY0_SEL = 3 (SW_GP2)
        const std::vector<std::string> o = ops(m);
        ASSERT_GE(o.size(), 3u);
        EXPECT_EQ(std::vector<std::string>(o.end() - 3, o.end()),
                  (std::vector<std::string>{"lock-fuses SW_GP2_LOCK", "lock-fuses SW_GP2_RLOCK",
                                            "reset"}));
        // The image is encrypted, the key is nowhere in the package.
        const auto files = test::package_files(out);
        const Bytes& image = files.at(m.images.front().file);
        EXPECT_EQ(bee::header_slots(image), (std::vector<std::uint32_t>{0}));
        for (const auto& s : out.secrets)
            EXPECT_EQ(std::search(out.zip.begin(), out.zip.end(), s.value.begin(), s.value.end()),
                      out.zip.end());
        EXPECT_EQ(std::search(out.zip.begin(), out.zip.end(), k.begin(), k.end()), out.zip.end());
        EXPECT_EQ(validate_error(m, files), "valid");
    }
}

TEST(ExportBee, AUserKeyRangeOverTheIvtIsRefused) {
    test::TempDir t;
    const auto project = test::bee_project(t.path(), "mimxrt1060", BeeMode::UserKey);
    std::string yaml = read_text_file(project);
    test::write_text(project, yaml.replace(yaml.find("start: 0x60002000"), 17, "start: 0x60001000"));
    EXPECT_NE(usage_error(project).find("user-key: the protected range 0x60001000+0x3000 covers "
                                        "the image's IVT at 0x60001000"),
              std::string::npos)
        << usage_error(project);
}

// Tampered fuse entries: each is refused by the rules every package read applies.
TEST(ExportBee, TamperedBeeFuseWordsAreRefused) {
    test::TempDir t;
    const ExportedPackage out =
        exported(test::bee_project(t.path(), "mimxrt1050", BeeMode::UserKey));
    const auto files = test::package_files(out);
    const auto tampered = [&](auto change) {
        Manifest m = out.manifest;
        change(m);
        return validate_error(m, files);
    };
    const auto at = [&](Manifest& m, const std::string& word) -> FuseWordPlan& {
        return *std::find_if(m.fuses.begin(), m.fuses.end(),
                             [&](const FuseWordPlan& f) { return f.word == word; });
    };
    const std::size_t cfg1 = static_cast<std::size_t>(
        &fuse(out.manifest, "BOOT_CFG1") - out.manifest.fuses.data());
    // BEE_KEY0_SEL = 2 (OTPMK) in a user-key package: the part would not find its key.
    EXPECT_EQ(tampered([&](Manifest& m) { at(m, "BOOT_CFG1").value = 0x2010; }),
              fmt::format("manifest.json: fuses[{}].value: BEE_KEY0_SEL = 2 in BOOT_CFG1, but "
                          "feature bee-user-key burns it as 3",
                          cfg1));
    // SEC_CONFIG[1] (bit 1) slipped into the mask: closing is never a package's word.
    EXPECT_EQ(tampered([&](Manifest& m) {
                  at(m, "BOOT_CFG1").mask |= 0x2;
                  at(m, "BOOT_CFG1").value |= 0x2;
              }),
              fmt::format("manifest.json: fuses[{}].mask: 0x00003012 owns bits 0x00000002 of "
                          "BOOT_CFG1 outside the fields the package's features burn there "
                          "(BEE_KEY0_SEL, BEE_KEY1_SEL, BT_FUSE_SEL)",
                          cfg1));
    // The whole word: refused at its first field the plan would burn as 0, and beyond them.
    EXPECT_NE(tampered([&](Manifest& m) { at(m, "BOOT_CFG1").mask = kWholeWord; })
                  .find("BEE_KEY1_SEL = 0 in BOOT_CFG1, but feature bee-user-key burns it as 3"),
              std::string::npos);
    EXPECT_NE(tampered([&](Manifest& m) { at(m, "BOOT_CFG1").mask = 0xFFFF3FFF; })
                  .find("owns bits 0xffff0fef of BOOT_CFG1 outside the fields"),
              std::string::npos);
    // A key word in the clear.
    EXPECT_EQ(tampered([&](Manifest& m) {
                  at(m, "SW_GP2_0").secret.clear();
                  at(m, "SW_GP2_0").value = 0xc3d2e1f0;
              }),
              "manifest.json: fuses[0].value: SW_GP2_0 holds the BEE/OTFAD user key: a package "
              "names it as a secret (\"secret\": \"fuse:SW_GP2_0\"), never as a value in the "
              "clear");
    // A secret on a word that is no key word.
    EXPECT_NE(tampered([&](Manifest& m) { at(m, "BOOT_CFG0").secret = "fuse:SW_GP2_0"; })
                  .find("only key words (SW_GP2_*) are secret"),
              std::string::npos);
    // Read lock before the write lock: the words would be hidden before they are locked.
    EXPECT_NE(tampered([&](Manifest& m) {
                  auto& p = m.write_plan;
                  const auto lock = std::find_if(p.begin(), p.end(), [](const WriteStep& s) {
                      return s.field == "SW_GP2_LOCK";
                  });
                  std::iter_swap(lock, lock + 1);
              }).find("SW_GP2_RLOCK is not the lock field of a word a program-fuses step "
                      "before it burns"),
              std::string::npos);
    // Without the feature, no BEE word at all.
    EXPECT_NE(tampered([&](Manifest& m) {
                  m.required.erase(std::remove_if(m.required.begin(), m.required.end(),
                                                  [](const RequiredFeature& r) {
                                                      return r.name == "bee-user-key";
                                                  }),
                                   m.required.end());
              }).find("SW_GP2_0 is not a fuse word of a feature the package requires (none)"),
              std::string::npos);
    // The key selector left out: the part would boot without its key.
    EXPECT_EQ(tampered([&](Manifest& m) {
                  at(m, "BOOT_CFG1").mask = 0x10;
                  at(m, "BOOT_CFG1").value = 0x10;
              }),
              "manifest.json: fuses: BEE_KEY0_SEL (in BOOT_CFG1) is missing: feature "
              "bee-user-key needs it to boot");
}

// An OTPMK package without its option block would write the image in the clear under fuses that
// make the BEE decrypt it; one in a package without the feature would encrypt unasked.
TEST(ExportBee, TheOtpmkOptionBlockGoesWithItsFeature) {
    test::TempDir t;
    const ExportedPackage out = exported(test::bee_project(t.path(), "mimxrt1060", BeeMode::Otpmk));
    const auto files = test::package_files(out);
    Manifest m = out.manifest;
    const auto bee_step = std::find_if(m.write_plan.begin(), m.write_plan.end(), [](const auto& s) {
        return !s.option_words.empty() && s.option_words[0] == 0xE0110000;
    });
    ASSERT_NE(bee_step, m.write_plan.end());
    m.write_plan.erase(bee_step);
    EXPECT_EQ(validate_error(m, files),
              "manifest.json: write_plan: 0 BEE OTPMK option blocks; bee-otpmk has the "
              "flashloader encrypt with exactly one");
    m = out.manifest;
    m.required.erase(std::remove_if(m.required.begin(), m.required.end(),
                                    [](const auto& r) { return r.name == "bee-otpmk"; }),
                     m.required.end());
    m.fuses.erase(std::remove_if(m.fuses.begin(), m.fuses.end(),
                                 [](const auto& f) { return f.word.starts_with("BOOT_CFG"); }),
                  m.fuses.end());
    for (auto& s : m.write_plan)
        if (s.op == StepOp::ProgramFuses)
            s.words.resize(8);
    EXPECT_NE(validate_error(m, files).find("0xe0110000 is a BEE OTPMK option block"),
              std::string::npos)
        << validate_error(m, files);
}

}  // namespace
}  // namespace rtprov::pkg
