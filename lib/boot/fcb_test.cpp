#include "rtprov/boot/fcb.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include <string>

#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "test_support.hpp"

namespace rtprov::boot {
namespace {

std::string error_of(auto&& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

Bytes read_vector(const char* relative) {
    const auto dir = test::vectors_dir();
    return read_file(*dir / relative);
}

std::uint64_t field(const Fcb& fcb, std::string_view name) {
    for (const auto& [n, v] : fcb_fields(fcb)) {
        if (n == name)
            return v;
    }
    ADD_FAILURE() << "no field " << name;
    return 0;
}

TEST(Fcb, DefaultSerializesTagAndVersionOnly) {
    const Bytes out = serialize(Fcb{});
    ASSERT_EQ(out.size(), 512u);
    EXPECT_EQ(load_le32(out.data()), 0x42464346u);
    EXPECT_EQ(load_le32(out.data() + 4), 0x56010400u);
    for (std::size_t i = 8; i < out.size(); ++i)
        EXPECT_EQ(out[i], 0) << i;
}

TEST(Fcb, FieldsLandAtTheirOffsets) {
    Fcb f;
    f.read_sample_clk_src = 0x11;
    f.wait_time_cfg_commands = 0x2233;
    f.device_mode_seq = {0x44, 0x55, 0};
    f.config_cmd_args[2] = 0x66778899;
    f.serial_clk_freq = 0xAA;
    f.sflash_b2_size = 0x01020304;
    f.busy_bit_polarity = 0xBBCC;
    f.lookup_table[63] = 0xDDEEFF00;
    f.lut_custom_seq[11] = {1, 2, 3};
    f.page_size = 0x1234;
    f.need_restore_no_cmd_mode = 0x77;
    f.block_size = 0x40000;
    f.reserved6[10] = 0xCAFEF00D;
    const Bytes b = serialize(f);
    EXPECT_EQ(b[0x0C], 0x11);
    EXPECT_EQ(load_le16(b.data() + 0x12), 0x2233);
    EXPECT_EQ(b[0x14], 0x44);  // seqNum first
    EXPECT_EQ(b[0x15], 0x55);
    EXPECT_EQ(load_le32(b.data() + 0x38), 0x66778899u);
    EXPECT_EQ(b[0x46], 0xAA);
    EXPECT_EQ(load_le32(b.data() + 0x5C), 0x01020304u);
    EXPECT_EQ(load_le16(b.data() + 0x7E), 0xBBCC);
    EXPECT_EQ(load_le32(b.data() + 0x17C), 0xDDEEFF00u);
    EXPECT_EQ(load_le32(b.data() + 0x1AC), 0x00030201u);
    EXPECT_EQ(load_le32(b.data() + 0x1C0), 0x1234u);
    EXPECT_EQ(b[0x1CF], 0x77);
    EXPECT_EQ(load_le32(b.data() + 0x1D0), 0x40000u);
    EXPECT_EQ(load_le32(b.data() + 0x1FC), 0xCAFEF00Du);
    EXPECT_EQ(parse_fcb(b, "x"), f);
}

TEST(Fcb, ParseErrorsSayWhere) {
    Bytes b = serialize(Fcb{});
    EXPECT_EQ(error_of([&] { parse_fcb(ByteView(b).first(100), "a.fcb"); }),
              "a.fcb: FCB is 100 bytes, expected 512");
    b[0] = 'X';
    EXPECT_EQ(error_of([&] { parse_fcb(b, "a.fcb"); }),
              "a.fcb: offset 0x0: FCB tag is 0x42464358, expected 0x42464346 (\"FCFB\")");
    b[0] = 'F';
    b[6] = 2;
    EXPECT_EQ(error_of([&] { parse_fcb(b, "a.fcb"); }),
              "a.fcb: offset 0x4: FCB version is 0x56020400, expected 'V' major 1 (0x5601xxxx)");
    b[6] = 1;
    b[4] = 0x07;  // any minor/bugfix is accepted
    EXPECT_EQ(parse_fcb(b, "a.fcb").version, 0x56010407u);
}

TEST(Fcb, LutEncodingAndNames) {
    EXPECT_EQ(lut(LutOp::CmdSdr, LutPads::One, 0xEB), 0x04EB);
    EXPECT_EQ(lut(LutOp::RaddrSdr, LutPads::Four, 0x18), 0x0A18);
    EXPECT_EQ(lut(LutOp::DummyRwdsDdr, LutPads::Eight, 0x0B), 0xB70B);
    EXPECT_EQ(lut_word(0x04EB, 0x0A18), 0x0A1804EBu);
    const LutInstruction ins = decode_lut(0xB70B);
    EXPECT_EQ(ins.opcode, 0x2D);
    EXPECT_EQ(ins.pads, 8);
    EXPECT_EQ(ins.operand, 0x0B);
    EXPECT_EQ(lut_op_name(0x0D), "DUMMY_RWDS_SDR");
    EXPECT_EQ(lut_op_name(0x1F), "JMP_ON_CS");
    EXPECT_EQ(lut_op_name(0x2B), "DATSZ_DDR");
    EXPECT_EQ(lut_op_name(0x10), "");
    EXPECT_EQ(describe_lut(0x04EB), "CMD_SDR 1PAD 0xEB");
    EXPECT_EQ(describe_lut(0xFC01), "OP_0x3F 1PAD 0x01");
}

TEST(Fcb, SetFieldByName) {
    Fcb f = fcb_preset("rt1020-evk");
    set_fcb_field(f, "serialClkFreq", 5);
    set_fcb_field(f, "sflashA1Size", 0x1000000);
    set_fcb_field(f, "lookupTable[5]", 0x12345678);
    set_fcb_field(f, "lutCustomSeq_2", 0x0302);
    set_fcb_field(f, "dataValidTime[1]", 16);
    set_fcb_field(f, "deviceModeSeq", 0x0201);
    EXPECT_EQ(f.serial_clk_freq, 5);
    EXPECT_EQ(f.sflash_a1_size, 0x1000000u);
    EXPECT_EQ(f.lookup_table[5], 0x12345678u);
    EXPECT_EQ(f.lut_custom_seq[2], (FcbLutSeq{2, 3, 0}));
    EXPECT_EQ(f.data_valid_time[1], 16);
    EXPECT_EQ(f.device_mode_seq, (FcbLutSeq{1, 2, 0}));
    EXPECT_EQ(field(f, "lookupTable[5]"), 0x12345678u);
    EXPECT_EQ(field(f, "sflashA1Size"), 0x1000000u);
}

TEST(Fcb, SetFieldErrors) {
    Fcb f;
    EXPECT_EQ(error_of([&] { set_fcb_field(f, "sflashA1size", 1); }),
              "unknown FCB field 'sflashA1size' (close names: sflashA1Size, sflashA2Size, "
              "sflashB1Size, sflashB2Size)");
    EXPECT_EQ(error_of([&] { set_fcb_field(f, "frobnicate", 1); }),
              "unknown FCB field 'frobnicate'");
    EXPECT_EQ(error_of([&] { set_fcb_field(f, "csHoldTime", 0x100); }),
              "FCB field 'csHoldTime' is 8 bits wide; 0x100 does not fit");
    EXPECT_EQ(error_of([&] { set_fcb_field(f, "busyOffset", 0x10000); }),
              "FCB field 'busyOffset' is 16 bits wide; 0x10000 does not fit");
    EXPECT_EQ(error_of([&] { set_fcb_field(f, "lookupTable[64]", 0); }),
              "FCB field 'lookupTable' has 64 entries; index 64 is out of range");
    EXPECT_EQ(error_of([&] { set_fcb_field(f, "lookupTable", 0); }),
              "FCB field 'lookupTable' is an array: use lookupTable[0..63]");
    EXPECT_EQ(error_of([&] { set_fcb_field(f, "pageSize[1]", 0); }),
              "FCB field 'pageSize' is not an array");
    EXPECT_EQ(error_of([&] { set_fcb_field(f, "lookupTable[x]", 0); }),
              "FCB field 'lookupTable[x]': bad index");
    EXPECT_EQ(error_of([&] { set_fcb_field(f, "tag", 0); }),
              "FCB field 'tag' is fixed and cannot be set");
    EXPECT_EQ(f, Fcb{});
}

TEST(Fcb, FieldListIsInBlockOrder) {
    const auto fields = fcb_fields(fcb_preset("rt1050-evkb"));
    ASSERT_EQ(fields.size(), 2 + 7 + 2 + 1 + 3 + 3 + 3 + 5 + 8 + 2 + 2 + 2 + 64 + 12 + 9u);
    EXPECT_EQ(fields.front().first, "tag");
    EXPECT_EQ(fields[2].first, "readSampleClkSrc");
    EXPECT_EQ(fields[2].second, 3u);
    EXPECT_EQ(fields.back().first, "blockSize");
    EXPECT_EQ(fields.back().second, 0x40000u);
}

TEST(Fcb, PresetLookup) {
    EXPECT_GE(fcb_presets().size(), 4u);
    for (const auto& p : fcb_presets()) {
        const Fcb f = fcb_preset(p.name);
        EXPECT_EQ(parse_fcb(serialize(f), p.name), f) << p.name;
        EXPECT_NE(f.sflash_a1_size, 0u) << p.name;
        EXPECT_FALSE(p.board.empty());
        EXPECT_FALSE(p.description.empty());
    }
    EXPECT_EQ(fcb_preset("rt1064").sflash_a1_size, 4u * 1024 * 1024);
    EXPECT_EQ(fcb_preset("rt1060-evk").serial_clk_freq, 7);
    EXPECT_EQ(error_of([] { fcb_preset("rt1170-evk"); }),
              "unknown FCB preset 'rt1170-evk' (known: rt1010-evk, rt1015-evk, rt1020-evk, "
              "rt1024-evk, rt1050-evkb, rt1060-evk, rt1064)");
}

TEST(Fcb, PresetLutReadsLikeTheSdk) {
    const Fcb f = fcb_preset("rt1020-evk");
    EXPECT_EQ(describe_lut_sequence(f, 0),
              (std::vector<std::string>{"CMD_SDR 1PAD 0xEB", "RADDR_SDR 4PAD 0x18",
                                        "DUMMY_SDR 4PAD 0x06", "READ_SDR 4PAD 0x04"}));
    EXPECT_EQ(describe_lut_sequence(f, 3), (std::vector<std::string>{"CMD_SDR 1PAD 0x06"}));
    EXPECT_TRUE(describe_lut_sequence(f, 2).empty());
}

class FcbReference : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(FcbReference, RoundTripsAndEqualsPreset) {
    if (!test::vectors_dir())
        GTEST_SKIP() << "RTPROV_VECTORS not set";
    const auto [file, preset] = GetParam();
    const Bytes ref = read_vector(file);
    const Fcb parsed = parse_fcb(ref, file);
    EXPECT_EQ(serialize(parsed), ref);
    const Fcb mine = fcb_preset(preset);
    for (const auto& [name, value] : fcb_fields(parsed)) {
        EXPECT_EQ(field(mine, name), value) << preset << " " << name;
    }
    EXPECT_EQ(serialize(mine), ref);
}

INSTANTIATE_TEST_SUITE_P(Vectors, FcbReference,
                         ::testing::Values(std::pair{"rt1020-evk/flex_spi.fcb", "rt1020-evk"},
                                           std::pair{"rt1050-evkb/flex_spi.fcb", "rt1050-evkb"}),
                         [](const auto& param_info) {
                             std::string name = param_info.param.second;
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

}  // namespace
}  // namespace rtprov::boot
