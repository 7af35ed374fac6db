// The project file's `otfad:` section and the OTFAD step of build_outputs(): every key, the
// messages for what is wrong, the parts it is refused on.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "rtprov/project/build_outputs.hpp"
#include "rtprov/project/project_file.hpp"
#include "rtprov/util/error.hpp"
#include "test_support.hpp"

namespace rtprov::project {
namespace {

const char* const kBase = "device: mimxrt1010\napp: a.srec\n";

std::string error_of(const std::string& otfad) {
    try {
        parse_project(kBase + otfad, "/p/project.yaml");
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

TEST(OtfadSection, ReadsEverySetting) {
    const BuildSpec s = parse_project(std::string(kBase) + R"(otfad:
  kek_source: sw-gp2
  kek_file: keys/kek.bin
  scramble: {mask: 0x12345678, align: 0x72}
  lock_kek: false
  regions:
    - start: 0x60001000
      length: 0x3000
      key_file: keys/r0.bin
      counter: 0123456789abcdef
      read_only: false
    - {start: 0x60010000, length: 0x400}
)",
                                      "/p/project.yaml");
    ASSERT_TRUE(s.otfad);
    EXPECT_EQ(s.otfad->kek_source, otfad::KekSource::SwGp2);
    EXPECT_EQ(s.otfad->kek_file, std::filesystem::path("/p/keys/kek.bin"));
    EXPECT_EQ(s.otfad->scramble, (otfad::Scramble{0x12345678, 0x72}));
    EXPECT_FALSE(s.otfad->lock_kek);
    ASSERT_EQ(s.otfad->regions.size(), 2u);
    EXPECT_EQ(s.otfad->regions[0].key_file, std::filesystem::path("/p/keys/r0.bin"));
    EXPECT_EQ(*s.otfad->regions[0].counter,
              (otfad::Counter{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}));
    EXPECT_FALSE(s.otfad->regions[0].read_only);
    EXPECT_EQ(s.otfad->regions[1].start, 0x60010000u);
    EXPECT_TRUE(s.otfad->regions[1].read_only);
    const BuildSpec o = parse_project(std::string(kBase) + "otfad: {kek_source: otpmk-high}\n",
                                      "/p/project.yaml");
    EXPECT_EQ(o.otfad->kek_source, otfad::KekSource::OtpmkHigh);
    EXPECT_FALSE(o.otfad->kek_file);
}

TEST(OtfadSection, Errors) {
    EXPECT_EQ(error_of("otfad:\n  kek_source: user\n"),
              "/p/project.yaml:4:15: 'otfad.kek_source': 'user'; use sw-gp2, otpmk-low or "
              "otpmk-high");
    EXPECT_EQ(error_of("otfad:\n  lock_kek: true\n"),
              "/p/project.yaml:4:3: 'otfad' with kek_source sw-gp2 needs 'kek_file' (the 16-byte "
              "key burned into SW_GP2)");
    EXPECT_EQ(error_of("otfad:\n  kek: 00112233445566778899aabbccddeeff\n"),
              "/p/project.yaml:4:8: 'otfad.kek': keys are read from files only (kek_file)");
    EXPECT_EQ(error_of("otfad:\n  kek_file: k.bin\n  regions:\n    - {start: 0x60001000, "
                       "length: 0x400, counter: 0011}\n"),
              "/p/project.yaml:6:51: 'otfad.regions[0].counter' is 2 bytes; expected 8");
    EXPECT_EQ(error_of("otfad:\n  kek_file: k.bin\n  regions:\n    - {start: 0x60001000}\n"),
              "/p/project.yaml:6:7: 'otfad.regions[0]' needs 'start' and 'length'");
    EXPECT_EQ(error_of("otfad:\n  kek_file: k.bin\n  scramble: {mask: 1, align: 0x100}\n"),
              "/p/project.yaml:5:30: 'otfad.scramble.align' is 8 bits (4 x 2-bit word selectors)");
}

TEST(OtfadSection, ResolveReadsKeyFiles) {
    test::TempDir t;
    test::write_bytes(t / "k.bin", Bytes(16, 0x5A));
    test::write_bytes(t / "short.bin", Bytes(15, 0x5A));
    OtfadSpec spec;
    spec.kek_file = t / "k.bin";
    spec.regions.push_back(OtfadRegionSpec{0x60001000, 0x400, t / "k.bin", {}, true});
    const otfad::Config c = resolve_otfad(spec);
    EXPECT_EQ((*c.kek)[15], 0x5A);
    EXPECT_EQ((*c.regions[0].key)[0], 0x5A);
    spec.kek_file = t / "short.bin";
    try {
        resolve_otfad(spec);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()),
                  (t / "short.bin").string() + ": 15 bytes; an OTFAD key file holds 16");
    }
}

// A raw app at 0x60002000: stack pointer, reset vector inside, filler.
Bytes app_bin() {
    Bytes app(0x1800, 0);
    store_le32(&app[0], 0x20002000);
    store_le32(&app[4], 0x60002101);
    for (std::size_t i = 8; i < app.size(); ++i)
        app[i] = static_cast<std::uint8_t>(i * 31 + 7);
    return app;
}

std::string project(const test::TempDir& t, const std::string& device, const std::string& extra) {
    return fmt::format("device: {}\napp: {{file: {}, address: 0x60002000}}\nfcb: {}\n{}", device,
                       (t / "app.bin").string(),
                       device == "mimxrt1010" ? "rt1010-evk" : "rt1050-evkb", extra);
}

TEST(OtfadBuild, EncryptsTheBuiltImageAndRefusesWrongParts) {
    test::TempDir t;
    test::write_bytes(t / "app.bin", app_bin());
    test::write_bytes(t / "kek.bin", Bytes(16, 0x11));
    const BuildSpec plain_spec = parse_project(project(t, "mimxrt1010", ""), t / "p.yaml");
    const BuildOutputs plain = build_outputs(plain_spec, std::nullopt, "p");
    const BuildSpec spec = parse_project(
        project(t, "mimxrt1010", fmt::format("otfad: {{kek_file: {}}}\n", (t / "kek.bin").string())),
        t / "p.yaml");
    const BuildOutputs built = build_outputs(spec, std::nullopt, "p");
    ASSERT_TRUE(built.otfad);
    EXPECT_EQ(built.otfad->contexts.at(0).start, 0x60001000u);
    EXPECT_NE(built.data, plain.data);
    const otfad::Decrypted d =
        otfad::decrypt_image(built.data, otfad::Key{0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                                    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                                    0x11, 0x11},
                             std::nullopt, "p");
    EXPECT_EQ(d.data, plain.data);

    auto error = [&](const std::string& text) {
        try {
            build_outputs(parse_project(text, t / "p.yaml"), std::nullopt, "p");
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(error(project(t, "mimxrt1050",
                            fmt::format("otfad: {{kek_file: {}}}\n", (t / "kek.bin").string()))),
              "otfad: mimxrt1050 has no OTFAD (only the RT1010 has); its encrypted XIP is the "
              "BEE: use a bee: section");
    EXPECT_EQ(error(project(t, "mimxrt1010",
                            "bee:\n  mode: otpmk\n  regions: [{protect: [{start: 0x60001000, "
                            "length: 0x400}]}]\n")),
              "bee: mimxrt1010 has no BEE; its encrypted XIP is the OTFAD: use an otfad: section");
}

}  // namespace
}  // namespace rtprov::project
