// RT1010 OTFAD projects through export_package (issue 17): OTPMK packages keep the image plain,
// written from its IVT, and let the flashloader make the key blobs and encrypt; SW_GP2 packages
// carry the encrypted image with its key blob table and the KEK only as secrets; the fuse plans
// validate, and tampered ones do not.

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include "bee_projects.hpp"
#include "export_test_support.hpp"
#include "rtprov/otfad/otfad.hpp"
#include "rtprov/pkg/validate.hpp"
#include "rtprov/pkg/write_plan.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::pkg {
namespace {

using test::OtfadMode;
using namespace test_support;

bool contains(ByteView hay, ByteView needle) {
    return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

TEST(ExportOtfad, OtpmkKeepsTheImagePlainAndHasTheFlashloaderMakeTheKeyBlobs) {
    test::TempDir t;
    const ExportedPackage out = exported(test::otfad_project(t.path(), OtfadMode::Otpmk));
    const Manifest& m = out.manifest;
    EXPECT_TRUE(out.secrets.empty());
    EXPECT_FALSE(m.secrets.has_value());
    // Written from its IVT: offset 0..0xFF stays the flashloader's key blob table.
    EXPECT_EQ(m.images.front().address, 0x60001000u);
    // The option block goes after the FCB is programmed and right before the image.
    const std::vector<std::string> o = ops(m);
    const auto option = std::find(o.begin(), o.end(), "configure-memory 0xE0000100");
    ASSERT_NE(option, o.end()) << fmt::format("{}", fmt::join(o, ", "));
    EXPECT_EQ(*(option - 1), "configure-memory 0xF000000F");
    EXPECT_EQ(*(option + 1), "write");
    const auto step = std::find_if(m.write_plan.begin(), m.write_plan.end(), [](const auto& s) {
        return encrypt_on_write(s).has_value();
    });
    EXPECT_EQ(step->option_words, (std::vector<std::uint32_t>{0xE0000100, 0x60002000,
                                                              0x60004FFF}));
    const auto enc = encrypt_on_write(*step);
    EXPECT_EQ(enc->engine, EncryptEngine::Otfad);
    ASSERT_EQ(enc->ranges.size(), 1u);
    EXPECT_EQ(enc->ranges[0].start, 0x60002000u);
    EXPECT_EQ(enc->ranges[0].length, 0x3000u);
    EXPECT_EQ(describe_configuration(*step),
              "0x9 with option 0xE0000100: OTFAD with the part's OTPMK, the flashloader writes "
              "the key blobs at offset 0 and encrypts 0x60002000+0x3000 while writing");
    // OTFAD_CFG first, then ENCRYPTED_XIP, then the key selectors with BT_FUSE_SEL; MAC_ADDR_LOCK
    // last. OTFAD_KEY_SEL1 and _SEL0 (bits 13, 12) must read 0: the OTPMK's low half.
    EXPECT_EQ(fuse_words(m), (std::vector<std::string>{"OTFAD_CFG", "BOOT_CFG0", "BOOT_CFG1"}));
    EXPECT_EQ(fuse(m, "OTFAD_CFG"), (FuseWordPlan{"OTFAD_CFG", 0x23, 0x100,
                                                  LockPolicy::AfterVerify, "MAC_ADDR_LOCK", 0x100,
                                                  ""}));
    EXPECT_EQ(fuse(m, "BOOT_CFG0").mask, 0x1u);  // ENCRYPTED_XIP is bit 0 on the RT1010
    EXPECT_EQ(fuse(m, "BOOT_CFG1").mask, 0x3010u);
    EXPECT_EQ(fuse(m, "BOOT_CFG1").value, 0x0010u);
    EXPECT_EQ(std::vector<std::string>(o.end() - 2, o.end()),
              (std::vector<std::string>{"lock-fuses MAC_ADDR_LOCK", "reset"}));
    EXPECT_TRUE(needs_feature(m, "otfad-otpmk"));
    // The image is plain (the app is in it as built) and the package validates.
    const auto files = test::package_files(out);
    EXPECT_TRUE(contains(files.at(m.images.front().file), read_file(t / "app.bin")));
    EXPECT_EQ(validate_error(m, files), "valid");
}

TEST(ExportOtfad, SwGp2CarriesTheEncryptedImageAndTheKekOnlyAsSecrets) {
    test::TempDir t;
    const ExportedPackage out = exported(test::otfad_project(t.path(), OtfadMode::SwGp2));
    const Manifest& m = out.manifest;
    // SPSDK's mimxrt1010 order: SW_GP2_0 holds KEK bytes 12..15 as a little-endian word.
    const otfad::Key& k = test::kOtfadKek;
    const auto words = otfad::sw_gp2_words(k);
    ASSERT_EQ(out.secrets.size(), 4u);
    for (std::uint32_t w = 0; w < 4; ++w) {
        const std::string word = fmt::format("SW_GP2_{}", w);
        EXPECT_EQ(out.secrets[w].name, "fuse:" + word);
        Bytes le;
        append_le32(le, words[w]);
        EXPECT_EQ(out.secrets[w].value, le) << word;
        EXPECT_EQ(fuse(m, word), (FuseWordPlan{word, 0x29 + w, 0, LockPolicy::AfterVerify,
                                               "SW_GP2_LOCK", kWholeWord, "fuse:" + word}));
    }
    EXPECT_EQ(fuse(m, "BOOT_CFG1").value, 0x2010u);  // OTFAD_KEY_SEL1 = 1 (SW_GP2), BT_FUSE_SEL
    const std::vector<std::string> o = ops(m);
    EXPECT_EQ(std::vector<std::string>(o.end() - 4, o.end()),
              (std::vector<std::string>{"lock-fuses SW_GP2_LOCK", "lock-fuses SW_GP2_RLOCK",
                                        "lock-fuses MAC_ADDR_LOCK", "reset"}));
    EXPECT_EQ(std::count_if(m.write_plan.begin(), m.write_plan.end(),
                            [](const auto& s) { return encrypt_on_write(s).has_value(); }),
              0);
    // The image holds the key blob table at 0 and decrypts with the KEK to the plain build;
    // neither the KEK, its words nor the context key nor the plaintext app is in any file.
    EXPECT_EQ(m.images.front().address, 0x60000000u);
    const auto files = test::package_files(out);
    const Bytes& image = files.at(m.images.front().file);
    EXPECT_TRUE(otfad::looks_like_key_blob_table(image));
    const otfad::Decrypted plain = otfad::decrypt_image(image, k, std::nullopt, "image");
    EXPECT_TRUE(contains(plain.data, read_file(t / "app.bin")));
    for (const auto& [name, data] : files) {
        EXPECT_FALSE(contains(data, k)) << name;
        EXPECT_FALSE(contains(data, test::kOtfadContextKey)) << name;
        for (const auto& s : out.secrets)
            EXPECT_FALSE(contains(data, s.value)) << name << " " << s.name;
        EXPECT_FALSE(contains(data, read_file(t / "app.bin"))) << name;
    }
    EXPECT_EQ(files.count("project/kek.bin") + files.count("project/ctx0.bin"), 0u);
    EXPECT_EQ(validate_error(m, files), "valid");
}

TEST(ExportOtfad, ImagesThatCannotBeWrittenOrCheckedAreRefused) {
    {
        // The encrypted range over the IVT: a package is checked without its keys.
        test::TempDir t;
        const auto project = test::otfad_project(t.path(), OtfadMode::SwGp2);
        std::string yaml = read_text_file(project);
        test::write_text(project, yaml.replace(yaml.find("start: 0x60002000"), 17,
                                               "start: 0x60001000"));
        EXPECT_NE(usage_error(project).find(
                      "otfad: the encrypted range 0x60001000..0x60003FFF covers the image's IVT "
                      "at 0x60001000"),
                  std::string::npos)
            << usage_error(project);
    }
    {
        // OTPMK with padding: the image would be written over the flashloader's key blobs.
        test::TempDir t;
        const auto project = test::otfad_project(t.path(), OtfadMode::Otpmk);
        std::string yaml = read_text_file(project);
        test::write_text(project, yaml.replace(yaml.find("padding: false"), 14, "padding: true"));
        EXPECT_NE(usage_error(project).find("otfad: the image starts at 0x60000000 and would be "
                                            "written over the key blob table the flashloader "
                                            "writes at 0x60000000..0x600000FF"),
                  std::string::npos)
            << usage_error(project);
    }
    {
        // OTPMK with a known half: the image would be encrypted for one part.
        test::TempDir t;
        const auto project = test::otfad_project(t.path(), OtfadMode::Otpmk);
        std::string yaml = read_text_file(project);
        test::write_text(project, yaml.replace(yaml.find("kek_source: otpmk-low"), 21,
                                               "kek_source: otpmk-low\n  kek_file: kek.bin"));
        EXPECT_NE(usage_error(project).find("leave kek_file out"), std::string::npos)
            << usage_error(project);
    }
}

// Tampered fuse entries and steps: each is refused by the rules every package read applies.
TEST(ExportOtfad, TamperedOtfadPlansAreRefused) {
    test::TempDir t;
    const ExportedPackage user = exported(test::otfad_project(t.path(), OtfadMode::SwGp2));
    test::TempDir t2;
    const ExportedPackage otpmk = exported(test::otfad_project(t2.path(), OtfadMode::Otpmk));
    struct Case {
        const ExportedPackage* pkg;
        std::string what;
        std::function<void(Manifest&)> change;
        std::string error;
    };
    const auto at = [](Manifest& m, const std::string& word) -> FuseWordPlan& {
        return *std::find_if(m.fuses.begin(), m.fuses.end(),
                             [&](const FuseWordPlan& f) { return f.word == word; });
    };
    const std::vector<Case> cases = {
        {&user, "a KEK word in the clear",
         [&](Manifest& m) { at(m, "SW_GP2_1").secret.clear(); },
         "SW_GP2_1 holds the BEE/OTFAD user key"},
        {&user, "the KEK selector flipped to the OTPMK",
         [&](Manifest& m) { at(m, "BOOT_CFG1").value = 0x0010; },
         "OTFAD_KEY_SEL1 = 0 in BOOT_CFG1, but feature otfad-user-key burns it as 1"},
        {&user, "OTFAD_ENABLE left out",
         [&](Manifest& m) { at(m, "OTFAD_CFG").value = 0; },
         "OTFAD_ENABLE = 0 in OTFAD_CFG, but feature otfad-user-key burns it as 1"},
        {&user, "a KEK word dropped",
         [&](Manifest& m) {
             m.fuses.erase(std::find_if(m.fuses.begin(), m.fuses.end(),
                                        [](const auto& f) { return f.word == "SW_GP2_3"; }));
             for (auto& s : m.write_plan)
                 if (s.op == StepOp::ProgramFuses)
                     s.words.erase(std::find(s.words.begin(), s.words.end(), "SW_GP2_3"));
         },
         "SW_GP2_3 is missing: otfad-user-key burns the key as SW_GP2_0..SW_GP2_3"},
        {&otpmk, "the option block removed",
         [&](Manifest& m) {
             m.write_plan.erase(std::find_if(m.write_plan.begin(), m.write_plan.end(),
                                             [](const auto& s) {
                                                 return encrypt_on_write(s).has_value();
                                             }));
         },
         "0 OTFAD OTPMK option blocks; otfad-otpmk has the flashloader encrypt with exactly one"},
        {&otpmk, "a word outside the feature",
         [&](Manifest& m) {
             FuseWordPlan f = at(m, "OTFAD_CFG");
             f.word = "SW_GP1";
             f.index = 0x28;
             f.lock = LockPolicy::None;
             f.lock_field.clear();
             f.mask = kWholeWord;
             m.fuses.push_back(f);
         },
         "SW_GP1 is not a fuse word of a feature the package requires"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.what);
        Manifest m = c.pkg->manifest;
        c.change(m);
        const std::string error = validate_error(m, test::package_files(*c.pkg));
        EXPECT_NE(error.find(c.error), std::string::npos) << error;
    }
}

}  // namespace
}  // namespace rtprov::pkg
