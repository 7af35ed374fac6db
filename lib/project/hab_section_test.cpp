#include <gtest/gtest.h>

#include "rtprov/project/project_file.hpp"
#include "rtprov/project/project_writer.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::project {
namespace {

const char* const kBase = "device: mimxrt1050\napp: a.srec\n";

std::string error_of(const std::string& hab) {
    try {
        parse_project(kBase + hab, "/p/project.yaml");
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

const char* const kHab = R"(hab:
  srk_certs: [k/SRK1.pem, k/SRK2.pem, /abs/SRK3.pem, k/SRK4.pem]
  srk_index: 3
  csf_key: k/csf_key.pem
  csf_cert: k/csf_crt.pem
  img_key: k/img_key.pem
  img_cert: k/img_crt.pem
  key_password_file: k/key_pass.txt
  signature_time: 2023-05-04T14:41:11Z
  csf_version: 0x42
  engine: DCP
  engine_config: 0
  set_engine: {hash: sha256, engine: dcp}
  unlock: {engine: snvs, features: [zmk-write, LP SWR]}
  encrypt: {dek: dek.bin, nonce: 0x0102030405060708090a0b0c0d}
)";

TEST(HabSection, ReadsEverySettingAndAnchorsPaths) {
    const BuildSpec s = parse_project(std::string(kBase) + kHab, "/p/project.yaml");
    ASSERT_TRUE(s.hab);
    const HabSpec& h = *s.hab;
    EXPECT_FALSE(h.srk_table);
    ASSERT_EQ(h.srk_certs.size(), 4u);
    EXPECT_EQ(h.srk_certs[0], "/p/k/SRK1.pem");
    EXPECT_EQ(h.srk_certs[2], "/abs/SRK3.pem");
    EXPECT_EQ(h.srk_index, 3u);
    EXPECT_EQ(h.csf_key, "/p/k/csf_key.pem");
    EXPECT_EQ(h.img_cert, "/p/k/img_crt.pem");
    EXPECT_EQ(h.key_password_file, std::filesystem::path("/p/k/key_pass.txt"));
    EXPECT_EQ(h.signature_time, "2023-05-04T14:41:11Z");
    EXPECT_EQ(h.engine, hab::Engine::Dcp);
    ASSERT_TRUE(h.set_engine);
    EXPECT_EQ(h.set_engine->hash_algorithm, hab::Algorithm::Sha256);
    ASSERT_EQ(h.unlocks.size(), 1u);
    EXPECT_EQ(h.unlocks[0].engine, hab::Engine::Snvs);
    EXPECT_EQ(h.unlocks[0].features, 0x3u);
    ASSERT_TRUE(h.encrypt);
    EXPECT_EQ(h.encrypt->dek, "/p/dek.bin");
    EXPECT_EQ(h.encrypt->nonce, "0x0102030405060708090a0b0c0d");
}

TEST(HabSection, AnOcotpUnlockCarriesTheGivenUidBigEndian) {
    const std::string keys =
        "hab:\n  srk_table: t\n  csf_key: a\n  csf_cert: b\n  img_key: c\n  img_cert: d\n";
    const BuildSpec s = parse_project(
        std::string(kBase) + keys +
            "  unlock:\n    - {engine: ocotp, features: [jtag], uid: 0x0123456789ABCDEF}\n"
            "    - {engine: ocotp, features: [scs]}\n",
        "/p/project.yaml");
    ASSERT_EQ(s.hab->unlocks.size(), 2u);
    EXPECT_EQ(s.hab->unlocks[0].uid, (Bytes{0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF}));
    EXPECT_TRUE(s.hab->unlocks[1].uid.empty());  // the signer writes zeros, as SPSDK does
    // The project writer keeps it: the text parses back to the same UID.
    const BuildSpec again =
        parse_project(format_project(s, "/p/project.yaml", ""), "/p/project.yaml");
    EXPECT_EQ(again.hab->unlocks[0].uid, s.hab->unlocks[0].uid);
}

TEST(HabSection, ErrorsNameFileLineAndColumn) {
    EXPECT_EQ(error_of("hab:\n  srk_tabel: t.bin\n"),
              "/p/project.yaml:4:3: unknown key 'srk_tabel' in hab; known keys: srk_table, "
              "srk_certs, srk_index, csf_key, csf_cert, img_key, img_cert, key_password_file, "
              "signature_time, csf_version, engine, engine_config, set_engine, unlock, encrypt, "
              "nocak");
    EXPECT_EQ(error_of("hab:\n  csf_key: a\n"),
              "/p/project.yaml:4:3: hab: 'srk_table' or 'srk_certs' is missing");
    EXPECT_EQ(error_of("hab:\n  srk_table: t\n  csf_key: a\n"),
              "/p/project.yaml:4:3: 'hab.csf_cert' is missing");
    EXPECT_EQ(error_of("hab:\n  srk_table: t\n  srk_index: 4\n"),
              "/p/project.yaml:5:14: 'hab.srk_index' must be 0, 1, 2 or 3");
    const std::string keys = "  csf_key: a\n  csf_cert: b\n  img_key: c\n  img_cert: d\n";
    EXPECT_EQ(error_of("hab:\n  srk_table: t\n" + keys +
                       "  unlock: {engine: snvs, features: [lp-swr], uid: 0x1}\n"),
              "/p/project.yaml:9:51: 'hab.unlock.uid': only an ocotp unlock of field-return, scs "
              "or jtag carries the part's UID");
    EXPECT_EQ(error_of("hab:\n  srk_table: t\n" + keys + "  csf_version: 0x142\n"),
              "/p/project.yaml:9:16: 'hab.csf_version': 0x142 is not a HAB4 CSF header version "
              "(0x40 .. 0x4F)");
    EXPECT_EQ(error_of("hab:\n  srk_table: t\n" + keys + "  engine: gpu\n"),
              "/p/project.yaml:9:11: 'hab.engine': unknown engine 'gpu'; use any, scc, rtic, "
              "sahara, csu, srtc, dcp, caam, snvs, ocotp, dtcp, hdcp, rom, sw");
    EXPECT_EQ(
        error_of("hab:\n  srk_table: t\n" + keys + "  unlock: {engine: snvs, features: [jtag]}\n"),
        "/p/project.yaml:9:37: 'hab.unlock.features': unknown feature 'jtag' of engine "
        "snvs; use lp-swr, zmk-write");
    EXPECT_EQ(error_of("hab:\n  srk_table: t\n" + keys + "  signature_time: 04/05/2023\n"),
              "/p/project.yaml:9:19: invalid signature time '04/05/2023': expected "
              "YYYY-MM-DDTHH:MM:SSZ (UTC)");
}

TEST(ProjectWriter, TextParsesBackIntoTheSameSpec) {
    const BuildSpec s =
        parse_project(std::string(kBase) + kHab + "padding: false\n", "/p/project.yaml");
    const std::string text = format_project(s, "/p/out/project.yaml", "made by a test\n\nline 3");
    EXPECT_EQ(text.rfind("# made by a test\n#\n# line 3\nversion: 1\n", 0), 0u) << text;
    EXPECT_NE(text.find("  csf_key: ../k/csf_key.pem\n"), std::string::npos) << text;
    EXPECT_NE(text.find("    - /abs/SRK3.pem\n"), std::string::npos) << text;
    const BuildSpec back = parse_project(text, "/p/out/project.yaml");
    EXPECT_EQ(back.device, s.device);
    EXPECT_EQ(back.app.lexically_normal(), s.app);
    EXPECT_FALSE(back.padding);
    ASSERT_TRUE(back.hab);
    const HabSpec &a = *back.hab, &b = *s.hab;
    ASSERT_EQ(a.srk_certs.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i)
        EXPECT_EQ(a.srk_certs[i].lexically_normal(), b.srk_certs[i]);
    EXPECT_EQ(a.srk_index, b.srk_index);
    EXPECT_EQ(a.img_key.lexically_normal(), b.img_key);
    EXPECT_EQ(a.key_password_file->lexically_normal(), *b.key_password_file);
    EXPECT_EQ(a.signature_time, b.signature_time);
    EXPECT_EQ(a.csf_version, b.csf_version);
    EXPECT_EQ(a.engine, b.engine);
    EXPECT_EQ(a.set_engine->engine, b.set_engine->engine);
    ASSERT_EQ(a.unlocks.size(), b.unlocks.size());
    EXPECT_EQ(a.unlocks[0].features, b.unlocks[0].features);
    EXPECT_EQ(a.encrypt->dek.lexically_normal(), b.encrypt->dek);
    EXPECT_EQ(a.encrypt->nonce, b.encrypt->nonce);
    EXPECT_EQ(format_project(back, "/p/out/project.yaml", "made by a test\n\nline 3"), text);
}

TEST(HabSection, SignedExampleProjectParses) {
    const auto dir = std::filesystem::path(RTPROV_SOURCE_DIR) / "examples/rt1050-evkb";
    const BuildSpec s = load_project(dir / "project_signed.yaml");
    ASSERT_TRUE(s.hab);
    EXPECT_EQ(s.hab->srk_table, dir / "pki/srk/SRK_table.bin");
    EXPECT_EQ(s.hab->key_password_file, dir / "pass.txt");
}

}  // namespace
}  // namespace rtprov::project
