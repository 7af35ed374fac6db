#include "rtprov/boot/dcd.hpp"

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

Bytes hex(std::string_view text) {
    Bytes out;
    std::string digits;
    for (char c : text) {
        if (c != ' ')
            digits += c;
    }
    for (std::size_t i = 0; i + 1 < digits.size(); i += 2) {
        out.push_back(static_cast<std::uint8_t>(std::stoul(digits.substr(i, 2), nullptr, 16)));
    }
    return out;
}

Dcd sample() {
    Dcd d;
    d.commands.emplace_back(
        DcdWrite{4, DcdWriteOp::WriteValue, {{0x400FC068, 0xFFFFFFFF}, {0x400FC06C, 0x12345678}}});
    d.commands.emplace_back(DcdCheck{4, DcdCheckOp::AnySet, 0x402F003C, 1, std::nullopt});
    d.commands.emplace_back(DcdWrite{2, DcdWriteOp::SetBitMask, {{0x400FC010, 0x8000}}});
    d.commands.emplace_back(DcdCheck{1, DcdCheckOp::AllClear, 0x402F0000, 0x80, 100});
    d.commands.emplace_back(DcdNop{});
    d.commands.emplace_back(DcdUnlock{0x1D, {0x00000002}});
    return d;
}

constexpr std::string_view kSampleHex =
    "d2 004c 41"
    "cc 0014 04 400fc068 ffffffff 400fc06c 12345678"
    "cf 000c 1c 402f003c 00000001"
    "cc 000c 1a 400fc010 00008000"
    "cf 0010 01 402f0000 00000080 00000064"
    "c0 0004 00"
    "b2 0008 1d 00000002";

constexpr std::string_view kSampleText =
    "WriteValue 4 0x400FC068 0xFFFFFFFF\n"
    "WriteValue 4 0x400FC06C 0x12345678\n"
    "\n"
    "CheckAnySet 4 0x402F003C 0x00000001\n"
    "\n"
    "SetBitMask 2 0x400FC010 0x00008000\n"
    "\n"
    "CheckAllClear 1 0x402F0000 0x00000080 100\n"
    "\n"
    "Nop\n"
    "\n"
    "Unlock CAAM 0x00000002\n"
    "\n";

TEST(Dcd, SerializesSample) {
    EXPECT_EQ(serialize(sample()), hex(kSampleHex));
    EXPECT_EQ(parse_dcd(hex(kSampleHex), "s.bin"), sample());
}

TEST(Dcd, TextExportAndImport) {
    EXPECT_EQ(dcd_to_text(sample()), kSampleText);
    EXPECT_EQ(parse_dcd_text(kSampleText, "s.txt"), sample());
}

TEST(Dcd, TextMergesLikeSpsdk) {
    const Dcd d = parse_dcd_text(
        "# SDRAM\n"
        "WriteValue 4 0x1 0x2\n"
        "\n"
        "  # comment lines and blank lines do not split a command\n"
        "WriteValue 4 0x3 0x4   # trailing comment\n"
        "WriteValue 2 0x5 0x6\n"
        "ClearBitMask 2 0x7 0x8\n"
        "ClearBitMask 2 0x9 0xA\n"
        "Nop\n"
        "ClearBitMask 2 0xB 0xC\r\n",
        "m.txt");
    ASSERT_EQ(d.commands.size(), 5u);
    EXPECT_EQ(std::get<DcdWrite>(d.commands[0]).entries.size(), 2u);
    EXPECT_EQ(std::get<DcdWrite>(d.commands[1]).width, 2);
    EXPECT_EQ(std::get<DcdWrite>(d.commands[2]).entries,
              (std::vector<DcdWriteEntry>{{7, 8}, {9, 10}}));
    EXPECT_TRUE(std::holds_alternative<DcdNop>(d.commands[3]));
    EXPECT_EQ(std::get<DcdWrite>(d.commands[4]).entries.size(), 1u);
}

TEST(Dcd, TextContinuationLines) {
    const Dcd d = parse_dcd_text("Unlock OCOTP 0x1 \\\n   0x2 0x3\nUnlock 0x99 7\n", "u.txt");
    ASSERT_EQ(d.commands.size(), 2u);
    EXPECT_EQ(std::get<DcdUnlock>(d.commands[0]), (DcdUnlock{0x21, {1, 2, 3}}));
    EXPECT_EQ(std::get<DcdUnlock>(d.commands[1]), (DcdUnlock{0x99, {7}}));
    Dcd many;
    many.commands.emplace_back(DcdUnlock{0x1E, {1, 2, 3, 4, 5, 6, 7, 8}});
    const std::string text = dcd_to_text(many);
    EXPECT_EQ(text,
              "Unlock SNVS 0x00000001 0x00000002 0x00000003 0x00000004 0x00000005 0x00000006 \\\n"
              " 0x00000007 0x00000008\n\n");
    EXPECT_EQ(parse_dcd_text(text, "t"), many);
}

TEST(Dcd, TextErrorsNameTheLine) {
    const auto err = [](std::string_view text) {
        return error_of([&] { parse_dcd_text(text, "d.txt"); });
    };
    EXPECT_EQ(err("Nop\nWriteVal 4 0x1 0x2\n"), "d.txt:2: unknown DCD command 'WriteVal'");
    EXPECT_EQ(err("WriteValue 4 0x1\n"),
              "d.txt:1: WriteValue takes 3 arguments (width address value), got 2");
    EXPECT_EQ(err("\n\nSetBitMask 3 0x1 0x2\n"), "d.txt:3: width '3' is not 1, 2 or 4");
    EXPECT_EQ(err("WriteValue 4 0xZZ 0x2\n"), "d.txt:1: address '0xZZ' is not a number");
    EXPECT_EQ(err("WriteValue 4 0x1 0x100000000\n"),
              "d.txt:1: value 0x100000000 does not fit in 32 bits");
    EXPECT_EQ(err("CheckAllSet 4 0x1\n"),
              "d.txt:1: CheckAllSet takes 3 or 4 arguments (width address mask [count]), got 2");
    EXPECT_EQ(err("CheckAllSet 4 0x1 0x2 x\n"), "d.txt:1: count 'x' is not a number");
    EXPECT_EQ(err("Nop 1\n"), "d.txt:1: Nop takes no arguments, got 1");
    EXPECT_EQ(err("Unlock CAAM\n"),
              "d.txt:1: Unlock takes an engine and at least one value, got 1 argument");
    EXPECT_EQ(err("Unlock FOO 1\n"),
              "d.txt:1: unknown Unlock engine 'FOO' (known: ANY, SCC, RTIC, SAHARA, CSU, SRTC, "
              "DCP, CAAM, SNVS, OCOTP, DTCP, HDCP, ROM, SW, or a number 0..0xFF)");
    EXPECT_EQ(err("Nop\n\nUnlock CAAM \\\n\n  0x1 zz\n"), "d.txt:3: value 'zz' is not a number");
    EXPECT_EQ(err("Unlock CAAM 1 \\\n# nothing follows\n"),
              "d.txt:2: line continuation '\\' at the end of the text");
}

TEST(Dcd, BinaryErrorsNameTheOffset) {
    const auto err = [](std::string_view h) {
        return error_of([&] { parse_dcd(hex(h), "d.bin"); });
    };
    EXPECT_EQ(err("d2 00"), "d.bin: DCD is 2 bytes, too short for its 4-byte header");
    EXPECT_EQ(err("d1 0004 41"), "d.bin: offset 0x0: DCD tag is 0xD1, expected 0xD2");
    EXPECT_EQ(err("d2 0004 43"), "d.bin: offset 0x3: DCD version is 0x43, expected 0x40 or 0x41");
    EXPECT_EQ(err("d2 0002 41"), "d.bin: offset 0x1: DCD length 0x2 is less than 4");
    EXPECT_EQ(err("d2 0010 41 c0000400"),
              "d.bin: offset 0x1: DCD length 0x10 exceeds the 0x8 bytes available");
    EXPECT_EQ(err("d2 0008 41 c0000400 0000 01"),
              "d.bin: offset 0xA: byte 0x01 after the end of the DCD (length 0x8); only zero "
              "padding may follow it");
    EXPECT_EQ(err("d2 0006 41 c000"),
              "d.bin: offset 0x4: 2 bytes left before the DCD end 0x6, too few for a command "
              "header");
    EXPECT_EQ(err("d2 0010 41 cc 0014 04 00000001 00000002"),
              "d.bin: offset 0x5: command 0xCC length 0x14 runs past the DCD end 0x10");
    EXPECT_EQ(err("d2 0010 41 cc 000c 03 00000001 00000002"),
              "d.bin: offset 0x7: Write Data parameter 0x03: width 3 is not 1, 2 or 4");
    EXPECT_EQ(err("d2 0010 41 cc 000c 24 00000001 00000002"),
              "d.bin: offset 0x7: Write Data parameter 0x24: reserved bits 7:5 are set");
    EXPECT_EQ(err("d2 0010 41 cc 000a 04 00000001 0002 0000"),
              "d.bin: offset 0x5: Write Data length 0xA is not 4 + 8 * N");
    EXPECT_EQ(err("d2 0010 41 cf 000c 00 00000001 00000002"),
              "d.bin: offset 0x7: Check Data parameter 0x00: width 0 is not 1, 2 or 4");
    EXPECT_EQ(err("d2 0014 41 cf 0008 04 00000001 c0000400 c0000400"),
              "d.bin: offset 0x5: Check Data length 0x8 is not 12 or 16");
    EXPECT_EQ(err("d2 000c 41 c0 0008 00 00000000"), "d.bin: offset 0x5: NOP length 0x8 is not 4");
    EXPECT_EQ(err("d2 0008 41 b2 0004 1d"),
              "d.bin: offset 0x5: Unlock length 0x4 is not 8 or more in steps of 4");
    EXPECT_EQ(err("d2 0008 41 ca 0004 00"),
              "d.bin: offset 0x4: unknown DCD command tag 0xCA (expected 0xCC write, 0xCF check, "
              "0xC0 nop or 0xB2 unlock)");
}

TEST(Dcd, ZeroPaddingAfterTheDcdIsAccepted) {
    Bytes b = hex("d2 0008 41 c0000400");
    b.resize(64, 0);
    const Dcd d = parse_dcd(b, "padded.bin");
    EXPECT_EQ(serialize(d), hex("d2 0008 41 c0000400"));
}

TEST(Dcd, SerializeRejectsBadWidth) {
    Dcd d;
    d.commands.emplace_back(DcdNop{});
    d.commands.emplace_back(DcdWrite{3, DcdWriteOp::WriteValue, {{1, 2}}});
    EXPECT_EQ(error_of([&] { serialize(d); }), "DCD command 2: width 3 is not 1, 2 or 4");
}

TEST(Dcd, Describe) {
    const Dcd d = sample();
    EXPECT_EQ(describe(d.commands[0]),
              "Write Data: WriteValue, 4 bytes, 2 writes (0x400FC068 .. 0x400FC06C)");
    EXPECT_EQ(describe(d.commands[1]),
              "Check Data: CheckAnySet, 4 bytes, 0x402F003C mask 0x00000001, poll forever");
    EXPECT_EQ(describe(d.commands[3]),
              "Check Data: CheckAllClear, 1 bytes, 0x402F0000 mask 0x00000080, up to 100 polls");
    EXPECT_EQ(describe(d.commands[4]), "Nop");
    EXPECT_EQ(describe(d.commands[5]), "Unlock: CAAM 0x00000002");
}

class DcdReference : public ::testing::TestWithParam<const char*> {};

TEST_P(DcdReference, BinaryAndTextRoundTrips) {
    const auto dir = test::vectors_dir();
    if (!dir)
        GTEST_SKIP() << "RTPROV_VECTORS not set";
    const Bytes ref = read_file(*dir / GetParam());
    const Dcd dcd = parse_dcd(ref, GetParam());
    const std::size_t length = load_be16(ref.data() + 1);
    EXPECT_EQ(length, ref.size()) << "reference DCDs carry no padding";
    const Bytes out = serialize(dcd);
    EXPECT_EQ(out, Bytes(ref.begin(), ref.begin() + static_cast<std::ptrdiff_t>(length)));

    const std::string text = dcd_to_text(dcd);
    EXPECT_EQ(text.rfind("WriteValue 4 0x400FC068 0xFFFFFFFF\n", 0), 0u);
    const Dcd again = parse_dcd_text(text, "exported.txt");
    EXPECT_EQ(again, dcd);
    EXPECT_EQ(serialize(again), out);

    test::TempDir tmp;
    test::write_text(tmp / "dcd.txt", text);
    EXPECT_EQ(serialize(parse_dcd_text(read_text_file(tmp / "dcd.txt"), "dcd.txt")), out);
}

INSTANTIATE_TEST_SUITE_P(Vectors, DcdReference,
                         ::testing::Values("rt1020-evk/dcd_SDRAM.bin", "rt1050-evkb/dcd_SDRAM.bin"),
                         [](const auto& param_info) {
                             return std::string(param_info.param).substr(0, 6) == "rt1020"
                                        ? "rt1020"
                                        : "rt1050";
                         });

}  // namespace
}  // namespace rtprov::boot
