// The project file's `bee:` section: every key, and the messages for what is wrong.

#include <gtest/gtest.h>

#include "rtprov/project/project_file.hpp"
#include "rtprov/util/error.hpp"
#include "test_support.hpp"

namespace rtprov::project {
namespace {

const char* const kBase = "device: mimxrt1050\napp: a.srec\n";

std::string error_of(const std::string& bee) {
    try {
        parse_project(kBase + bee, "/p/project.yaml");
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

TEST(BeeSection, ReadsEverySetting) {
    const BuildSpec s = parse_project(std::string(kBase) + R"(bee:
  mode: user-key
  regions:
    - key: 0123456789abcdeffedcba9876543210
      kib_key: C1C2C3C4C5C6C7C8C9CACBCCCDCECFC0
      kib_iv: 1112131415161718191A1B1C1D1E1F10
      nonce: 112233445566778899AABBCC
      lock: 1
      protect:
        - {start: 0x60001000, length: 0x2000}
        - {start: 0x60003800, length: 0x800, level: 2}
    - key_file: keys/k1.bin
      protect: [{start: 0x60100000, length: 0x1000}]
)",
                                      "/p/project.yaml");
    ASSERT_TRUE(s.bee);
    ASSERT_EQ(s.bee->regions.size(), 2u);
    const BeeRegionSpec& r0 = s.bee->regions[0];
    EXPECT_EQ(bee::key_hex(*r0.key), "0123456789abcdeffedcba9876543210");
    EXPECT_EQ(bee::key_hex(*r0.nonce), "112233445566778899aabbcc00000000");
    EXPECT_EQ(r0.lock, 1u);
    EXPECT_EQ(r0.protect, (std::vector<bee::Fac>{{0x60001000, 0x2000, 0}, {0x60003800, 0x800, 2}}));
    EXPECT_EQ(s.bee->regions[1].key_file, std::filesystem::path("/p/keys/k1.bin"));
}

TEST(BeeSection, ResolveReadsKeyFiles) {
    test::TempDir t;
    test::write_bytes(t / "k.bin", Bytes(16, 0x5A));
    test::write_bytes(t / "short.bin", Bytes(15, 0x5A));
    BeeSpec spec;
    spec.regions.push_back(
        BeeRegionSpec{{}, t / "k.bin", {}, {}, {}, 0, {{0x60001000, 0x400, 0}}, {}});
    EXPECT_EQ((*resolve_bee(spec).regions[0].key)[15], 0x5A);
    spec.regions[0].key_file = t / "short.bin";
    try {
        resolve_bee(spec);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()),
                  (t / "short.bin").string() + ": 15 bytes; a BEE key file holds 16");
    }
}

TEST(BeeSection, Errors) {
    EXPECT_EQ(error_of("bee:\n  mode: otp\n  regions: []\n"),
              "/p/project.yaml:4:9: 'bee.mode': 'otp'; use user-key or otpmk");
    EXPECT_EQ(error_of("bee:\n  regions: []\n"),
              "/p/project.yaml:4:12: 'bee.regions' must list 1 or 2 regions");
    EXPECT_EQ(error_of("bee:\n  regions:\n    - protect: [{start: 0x60001000, length: 0x400}]\n"),
              "/p/project.yaml:5:7: 'bee.regions[0]' needs 'key' or 'key_file' (the user key "
              "burned into SW_GP2)");
    EXPECT_EQ(error_of("bee:\n  regions:\n    - key: 0011\n      protect: [{start: 1, length: "
                       "2}]\n"),
              "/p/project.yaml:5:12: 'bee.regions[0].key' is 2 bytes; expected 16");
    EXPECT_EQ(error_of("bee:\n  regions:\n    - key: 00112233445566778899aabbccddeeff\n"),
              "/p/project.yaml:5:7: 'bee.regions[0].protect' must list the encrypted ranges, "
              "e.g. [{start: 0x60001000, length: 0x2000}]");
    EXPECT_EQ(error_of("bee:\n  mode: otpmk\n  regions:\n    - protect: [{start: 0x60001000}]\n"),
              "/p/project.yaml:6:17: 'bee.regions[0].protect[0]' needs 'start' and 'length'");
    EXPECT_EQ(error_of("bee:\n  mode: otpmk\n  regions:\n    - nonce: 0011\n      protect: "
                       "[{start: 1, length: 2}]\n"),
              "/p/project.yaml:6:14: 'bee.regions[0].nonce' is 2 bytes; expected 16 (or 12: the "
              "counter bytes follow as zeros)");
    EXPECT_EQ(error_of("bee:\n  mode: otpmk\n  regions:\n    - color: red\n"),
              "/p/project.yaml:6:7: unknown key 'color' in bee.regions[0]; known keys: key, "
              "key_file, kib_key, kib_key_file, kib_iv, nonce, lock, protect");
}

}  // namespace
}  // namespace rtprov::project
