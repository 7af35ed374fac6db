#include "rtprov/convert/convert.hpp"

#include <gtest/gtest.h>

#include "csf_sections.hpp"
#include "rtprov/project/project_file.hpp"
#include "rtprov/util/error.hpp"
#include "test_support.hpp"

namespace rtprov::convert {
namespace {

const char* const kSigned = R"(
options: {flags: 8, family: rt105x, bootDevice: flexspi_nor}
sections:
  - Header: {Header_Version: '4.2', Header_Engine: DCP, Header_EngineConfiguration: 0}
  - InstallSRK: {InstallSRK_Table: keys/srk.bin, InstallSRK_SourceIndex: 1}
  - InstallCSFK: {InstallCSFK_File: crts/csf.pem}
  - AuthenticateCSF: {Signer: 'type=file;file_path=keys/csf.pem'}
  - InstallKey: {InstallKey_File: crts/img.pem, InstallKey_VerificationIndex: 0,
                 InstallKey_TargetIndex: 2}
  - AuthenticateData: {AuthenticateData_VerificationIndex: 2, Signer: keys/img.pem}
  - SetEngine: {SetEngine_HashAlgorithm: sha256, SetEngine_Engine: DCP}
  - Unlock: {Unlock_Engine: OCOTP, Unlock_Features: 'JTAG, SRK REVOKE'}
)";

std::string sections_error_of(std::string text) {
    try {
        detail::hab_from_sections(parse_spsdk_config(text, "/cfg/c.yaml"));
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
}

TEST(Convert, SectionsBecomeTheHabSection) {
    const project::HabSpec h = detail::hab_from_sections(parse_spsdk_config(kSigned, "/c/c.yaml"));
    EXPECT_EQ(h.srk_table, std::filesystem::path("/c/keys/srk.bin"));
    EXPECT_EQ(h.srk_index, 1u);
    EXPECT_EQ(h.csf_cert, "/c/crts/csf.pem");
    EXPECT_EQ(h.csf_key, "/c/keys/csf.pem");
    EXPECT_EQ(h.img_cert, "/c/crts/img.pem");
    EXPECT_EQ(h.img_key, "/c/keys/img.pem");
    EXPECT_EQ(h.csf_version, 0x42);
    EXPECT_EQ(h.engine, hab::Engine::Dcp);
    ASSERT_TRUE(h.set_engine);
    EXPECT_EQ(h.set_engine->hash_algorithm, hab::Algorithm::Sha256);
    EXPECT_EQ(h.set_engine->engine, hab::Engine::Dcp);
    ASSERT_EQ(h.unlocks.size(), 1u);
    EXPECT_EQ(h.unlocks[0].engine, hab::Engine::Ocotp);
    EXPECT_EQ(h.unlocks[0].features, 0x8u | 0x2u);
}

// Unlock_UID as SPSDK reads it: bytes most significant first (text or a YAML list) or one number;
// kept, big-endian, only where the command carries a UID (OCOTP JTAG here, not SNVS).
TEST(Convert, UnlockUidInEveryFormSpsdkTakes) {
    const Bytes want = {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF};
    for (const std::string uid : {"'0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF'",
                                  "[1, 0x23, 0x45, 0x67, 0x89, 0xAB, "
                                  "0xCD, 0xEF]",
                                  "'0x0123456789ABCDEF'", "0x0123456789abcdef"}) {
        const project::HabSpec h = detail::hab_from_sections(parse_spsdk_config(
            replace(
                kSigned, "Unlock_Features: 'JTAG, SRK REVOKE'}",
                "Unlock_Features: [JTAG], Unlock_UID: " + uid +
                    "}\n"
                    "  - Unlock: {Unlock_Engine: SNVS, Unlock_Features: LP SWR, Unlock_UID: 7}"),
            "/c/c.yaml"));
        ASSERT_EQ(h.unlocks.size(), 2u) << uid;
        EXPECT_EQ(h.unlocks[0].uid, want) << uid;
        EXPECT_TRUE(h.unlocks[1].uid.empty()) << uid;
    }
    EXPECT_EQ(sections_error_of(replace(kSigned, "SRK REVOKE'}",
                                        "SRK REVOKE', Unlock_UID: '1,2,3,4,5,6,7,8,9'}")),
              "/cfg/c.yaml:12:73: 'Unlock_UID': '1,2,3,4,5,6,7,8,9' is longer than 8 bytes");
    EXPECT_EQ(sections_error_of(replace(kSigned, "SRK REVOKE'}", "SRK REVOKE', Unlock_UID: 'x'}")),
              "/cfg/c.yaml:12:73: 'Unlock_UID': 'x' is not a number");
}

TEST(Convert, SectionErrorsNameTheEntry) {
    EXPECT_EQ(sections_error_of(replace(kSigned, "InstallSRK_SourceIndex", "InstallSRK_Index")),
              "/cfg/c.yaml:5:50: unknown key 'InstallSRK_Index' in section InstallSRK; known "
              "keys: InstallSRK_Table, InstallSRK_SourceIndex");
    EXPECT_EQ(sections_error_of(replace(kSigned, "  - SetEngine", "  - SetMID: {}\n  - SetEngine")),
              "/cfg/c.yaml:11:5: section SetMID is not supported by rtprov convert; supported: "
              "Header, InstallSRK, InstallCSFK, AuthenticateCSF, InstallNOCAK, InstallKey, "
              "AuthenticateData, SetEngine, Unlock, SecretKey, Decrypt");
    EXPECT_EQ(sections_error_of(replace(kSigned, "Header_Version: '4.2'", "Header_Version: '3'")),
              "/cfg/c.yaml:4:14: 'Header_Version': '3' is not 4.0 .. 4.3");
    EXPECT_EQ(sections_error_of(
                  replace(kSigned, "InstallKey_TargetIndex: 2", "InstallKey_TargetIndex: 4")),
              "/cfg/c.yaml:9:18: 'InstallKey_TargetIndex': rtprov installs the image key in "
              "slot 2");
    EXPECT_EQ(sections_error_of(replace(kSigned, "JTAG, SRK REVOKE", "JTAG, ZMK WRITE")),
              "/cfg/c.yaml:12:36: 'Unlock_Features': unknown feature 'ZMK WRITE' of engine "
              "ocotp; use field-return, srk-revoke, scs, jtag");
    EXPECT_EQ(sections_error_of(
                  replace(kSigned, "'type=file;file_path=keys/csf.pem'", "'type=sasp;plugin=x'")),
              "/cfg/c.yaml:7:23: 'Signer': signature provider 'type=sasp;plugin=x' is not "
              "supported; use a key file (or type=file;file_path=KEY[;password=...])");
    EXPECT_EQ(sections_error_of(
                  replace(kSigned, "  - InstallCSFK: {InstallCSFK_File: crts/csf.pem}\n", "")),
              "/cfg/c.yaml: a signed image (flags 0x08) needs section InstallCSFK");
}

// --- NXP's configurations from the vectors ---------------------------------------------------

const char* const kExport = "hab-export/rt1050_xip_image_iar_authenticated";

Conversion convert_vector(const std::filesystem::path& dir, const std::string& config) {
    ConvertOptions options;
    if (config.ends_with(".bd")) {
        options.input = dir / "led_blinky_xip_srec_iar.srec";
        return convert_config(read_bd_config(dir / config), options);
    }
    return convert_config(read_spsdk_config(dir / config), options);
}

void expect_same(const project::BuildSpec& a, const project::BuildSpec& b) {
    const auto norm = [](const std::filesystem::path& p) {
        return std::filesystem::weakly_canonical(p);
    };
    EXPECT_EQ(a.device, b.device);
    EXPECT_EQ(a.boot_device, b.boot_device);
    EXPECT_EQ(norm(a.app), norm(b.app));
    EXPECT_EQ(a.app_format, b.app_format);
    EXPECT_EQ(a.app_address, b.app_address);
    EXPECT_EQ(a.entry, b.entry);
    EXPECT_EQ(a.padding, b.padding);
    ASSERT_EQ(a.hab.has_value(), b.hab.has_value());
    if (!a.hab)
        return;
    const auto &x = *a.hab, &y = *b.hab;
    ASSERT_EQ(x.srk_table.has_value(), y.srk_table.has_value());
    if (x.srk_table) {
        EXPECT_EQ(norm(*x.srk_table), norm(*y.srk_table));
    }
    EXPECT_EQ(x.srk_index, y.srk_index);
    EXPECT_EQ(norm(x.csf_cert), norm(y.csf_cert));
    EXPECT_EQ(norm(x.img_cert), norm(y.img_cert));
    EXPECT_EQ(x.signature_time, y.signature_time);
    EXPECT_EQ(x.csf_version, y.csf_version);
    EXPECT_EQ(x.engine, y.engine);
    EXPECT_EQ(x.engine_config, y.engine_config);
    ASSERT_EQ(x.set_engine.has_value(), y.set_engine.has_value());
    if (x.set_engine) {
        EXPECT_EQ(x.set_engine->hash_algorithm, y.set_engine->hash_algorithm);
        EXPECT_EQ(x.set_engine->engine, y.set_engine->engine);
        EXPECT_EQ(x.set_engine->engine_config, y.set_engine->engine_config);
    }
    ASSERT_EQ(x.unlocks.size(), y.unlocks.size());
    for (std::size_t i = 0; i < x.unlocks.size(); ++i) {
        EXPECT_EQ(x.unlocks[i].engine, y.unlocks[i].engine);
        EXPECT_EQ(x.unlocks[i].features, y.unlocks[i].features);
    }
}

TEST(ConvertVectors, EveryNxpConfigurationGivesTheSameSettings) {
    const auto vectors = test::vectors_dir();
    if (!vectors)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    const auto dir = *vectors / kExport;
    const Conversion bd = convert_vector(dir, "config.bd");
    const project::BuildSpec& s = bd.spec;
    EXPECT_EQ(s.device, "mimxrt1050");
    EXPECT_EQ(s.boot_device, "flexspi-nor");
    EXPECT_EQ(s.entry, 0x600034E9u);  // the S7 record, not the reset vector
    EXPECT_FALSE(s.padding);
    ASSERT_TRUE(s.hab);
    EXPECT_EQ(s.hab->srk_table, (dir / "gen_hab_certs/SRK_hash.bin").lexically_normal());
    EXPECT_EQ(s.hab->srk_index, 1u);
    EXPECT_EQ(s.hab->csf_key,
              (dir / "../keys/CSF2_1_sha256_2048_65537_v3_usr_key.pem").lexically_normal());
    EXPECT_EQ(s.hab->signature_time, "2023-05-04T14:41:11Z");
    ASSERT_EQ(s.hab->unlocks.size(), 1u);
    EXPECT_EQ(s.hab->unlocks[0].engine, hab::Engine::Snvs);
    EXPECT_EQ(s.hab->unlocks[0].features, 0x2u);
    for (const char* yaml : {"config_pk.yaml", "config_pk_simplified.yaml", "config_sp.yaml",
                             "config_pk_encrypted.yaml"}) {
        SCOPED_TRACE(yaml);
        expect_same(convert_vector(dir, yaml).spec, s);
    }
}

TEST(ConvertVectors, ProjectTextParsesBackIntoTheSameSettings) {
    const auto vectors = test::vectors_dir();
    if (!vectors)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    const auto dir = *vectors / kExport;
    test::TempDir tmp;
    for (const char* config : {"config.bd", "config_pk.yaml", "config_pk_simplified.yaml"}) {
        SCOPED_TRACE(config);
        const Conversion c = convert_vector(dir, config);
        const VendorConfig vendor = std::string(config).ends_with(".bd")
                                        ? read_bd_config(dir / config)
                                        : read_spsdk_config(dir / config);
        const auto project = tmp / "project.yaml";
        const std::string text = project_text(c, vendor, project);
        EXPECT_EQ(text, project_text(c, vendor, project));  // deterministic
        EXPECT_EQ(text.rfind("# rtprov project converted by `rtprov convert --from ", 0), 0u);
        expect_same(project::parse_project(text, project), c.spec);
    }
}

}  // namespace
}  // namespace rtprov::convert
