// SB 1.x against NXP's reference files ($RTPROV_VECTORS; skipped without it). The commands are
// the ones debug_logs/*.sb.txt list; timestamp and padding bytes are the inputs NXP's test used
// (SPSDK test_rt10xx.py: 2020-04-24 15:33:32 UTC, header padding db00767af4810b86, trailer
// padding 3672f499920534d2d517a0f7).

#include <gtest/gtest.h>

#include "rtprov/sb/sb.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"
#include "test_support.hpp"

namespace rtprov::sb {
namespace {

SbFile with_nxp_inputs() {
    SbFile f;
    f.timestamp = parse_timestamp("2020-04-24T15:33:32Z", "timestamp");
    const Bytes hp = parse_hex("db00767af4810b86", "header padding");
    const Bytes tp = parse_hex("3672f499920534d2d517a0f7", "trailer padding");
    std::copy(hp.begin(), hp.end(), f.header_padding.begin());
    std::copy(tp.begin(), tp.end(), f.trailer_padding.begin());
    return f;
}

// The flash programming sequence of NXP's test: configure FlexSPI NOR, erase, FCB, load.
Section flash_section(std::uint32_t flash_option, std::uint32_t erase_length, Bytes image) {
    Section s;
    s.commands = {
        fill(0x2000, flash_option), enable(9, 0x2000, 4), erase(0x60000000, erase_length),
        fill(0x2000, 0xF000000F),   enable(9, 0x2000, 4), load(0x60001000, std::move(image))};
    return s;
}

TEST(SbGolden, NoPaddingFilesAreByteIdentical) {
    const auto v = test::vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    struct Case {
        const char* dir;
        const char* prefix;
        std::uint32_t option, erase;
    };
    for (const Case& c : {Case{"rt1020-evk", "evkmimxrt1020", 0xC0000007, 0x5000},
                          Case{"rt1050-evkb", "evkbimxrt1050", 0xC0233007, 0x7000}}) {
        SCOPED_TRACE(c.dir);
        const auto out = *v / c.dir / "output";
        const std::string name =
            std::string(c.prefix) + "_iled_blinky_ext_FLASH_unsigned_nopadding";
        Bytes app = read_file(out / (name + ".bin"));
        app.resize(align_up(app.size(), 16), 0);  // NXP's test pads with zeros here
        SbFile f = with_nxp_inputs();
        f.sections.push_back(flash_section(c.option, c.erase, app));
        const Bytes want = read_file(out / (name + ".sb"));
        EXPECT_TRUE(serialize(f) == want);
        const SbFile parsed = parse(want, "vector");
        EXPECT_EQ(parsed.sections[0].commands, f.sections[0].commands);
        EXPECT_TRUE(serialize(parsed) == want);
    }
}

TEST(SbGolden, Rt1050TwoSectionsIsByteIdentical) {
    const auto v = test::vectors_dir();
    if (!v)
        GTEST_SKIP() << "RTPROV_VECTORS is not set";
    const auto out = *v / "rt1050-evkb/output";
    Bytes app = read_file(out / "evkbimxrt1050_iled_blinky_ext_FLASH_unsigned_nofcb.bin");
    const Bytes pad = parse_hex("dce86d5de98cf57c", "pad");  // NXP's "random" padding
    app.insert(app.end(), pad.begin(), pad.end());
    SbFile f = with_nxp_inputs();
    f.sections.push_back(flash_section(0xC0233007, 0x10000, app));
    Section srk;
    srk.id = 1;
    srk.commands = {load(0x6000F000, read_file(*v / "hab-keys/srk/SRK_hash_table.bin"))};
    f.sections.push_back(srk);
    const Bytes want = read_file(out / "sb_file_2_sections.sb");
    EXPECT_TRUE(serialize(f) == want);
    const SbFile parsed = parse(want, "vector");
    ASSERT_EQ(parsed.sections.size(), 2u);
    EXPECT_EQ(parsed.sections[1].table_offset, 0x430u);  // SPSDK's offset: section 1's TAG
    EXPECT_TRUE(serialize(parsed) == want);
}

}  // namespace
}  // namespace rtprov::sb
