#include "rtprov/write/board_data.hpp"

#include <gtest/gtest.h>

#include "rtprov/util/error.hpp"

namespace rtprov::write {
namespace {

std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

pkg::BoardData value(pkg::BoardDataSource source, pkg::BoardDataFormat format, std::uint32_t size) {
    pkg::BoardData d;
    d.name = "v";
    d.source = source;
    d.format = format;
    d.size = size;
    return d;
}

TEST(BoardCsv, HeaderRowsQuotesAndBlankLines) {
    const CsvTable t = parse_board_csv(
        "mac, key ,note\n\n00:11:22:33:44:55,aa,\"a, \"\"quoted\"\" note\"\r\n"
        "00:11:22:33:44:56,bb,\"two\nlines\"\n",
        "macs.csv");
    EXPECT_EQ(t.columns, (std::vector<std::string>{"mac", "key", "note"}));
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0],
              (std::vector<std::string>{"00:11:22:33:44:55", "aa", "a, \"quoted\" note"}));
    EXPECT_EQ(t.rows[1][2], "two\nlines");
    EXPECT_EQ(t.column("key"), 1u);
    EXPECT_FALSE(t.column("nope"));
}

TEST(BoardCsv, ErrorsNameTheFileAndLine) {
    EXPECT_EQ(error_of([] { parse_board_csv("a,b\n1,2\n3\n", "f.csv"); }),
              "f.csv:3: 1 cells, the header has 2");
    EXPECT_EQ(error_of([] { parse_board_csv("a,b\n1,2\n1,3\n", "f.csv"); }),
              "f.csv:3: a '1' is in the file twice");
    EXPECT_EQ(error_of([] { parse_board_csv("a,b\n,2\n", "f.csv"); }),
              "f.csv:2: the key (a) is empty");
    EXPECT_EQ(error_of([] { parse_board_csv("a\n\"open\n", "f.csv"); }),
              "f.csv:2: a quoted cell is not closed");
    EXPECT_EQ(error_of([] { parse_board_csv("\n\n", "f.csv"); }), "f.csv: no header row");
}

TEST(BoardValues, EncodedAsTheStepSays) {
    using S = pkg::BoardDataSource;
    using F = pkg::BoardDataFormat;
    EXPECT_EQ(encode_board_value(value(S::Counter, F::Le32, 4), "1000"), (Bytes{0xE8, 0x03, 0, 0}));
    EXPECT_EQ(encode_board_value(value(S::Csv, F::Le64, 8), "0x0102030405060708"),
              (Bytes{8, 7, 6, 5, 4, 3, 2, 1}));
    EXPECT_EQ(encode_board_value(value(S::Uid, F::Le64, 8), "0102030405060708"),
              (Bytes{8, 7, 6, 5, 4, 3, 2, 1}));
    EXPECT_EQ(encode_board_value(value(S::Uid, F::Hex, 8), "0102030405060708"),
              (Bytes{1, 2, 3, 4, 5, 6, 7, 8}));
    EXPECT_EQ(encode_board_value(value(S::Csv, F::Hex, 6), "00:1B:c5-0a 00:01"),
              (Bytes{0x00, 0x1B, 0xC5, 0x0A, 0x00, 0x01}));
    EXPECT_EQ(encode_board_value(value(S::Counter, F::Text, 6), "1000"),
              (Bytes{'1', '0', '0', '0', 0, 0}));
}

TEST(BoardValues, ValuesThatDoNotFitAreRefused) {
    using S = pkg::BoardDataSource;
    using F = pkg::BoardDataFormat;
    EXPECT_EQ(error_of([] { encode_board_value(value(S::Counter, F::Le32, 4), "4294967296"); }),
              "v: 4294967296 does not fit 32 bits");
    EXPECT_EQ(error_of([] { encode_board_value(value(S::Csv, F::Le32, 4), "twelve"); }),
              "v: 'twelve' is not a number");
    EXPECT_EQ(error_of([] { encode_board_value(value(S::Csv, F::Hex, 6), "00:11:22"); }),
              "v: '00:11:22' is 3 bytes, not 6");
    EXPECT_EQ(error_of([] { encode_board_value(value(S::Csv, F::Hex, 2), "0g"); }),
              "v: '0g' is not hex bytes");
    EXPECT_EQ(error_of([] { encode_board_value(value(S::Csv, F::Text, 3), "abcd"); }),
              "v: 'abcd' is longer than 3 bytes");
}

TEST(BoardValues, FuseWordsAndTargets) {
    EXPECT_EQ(fuse_words_of(Bytes{0x00, 0x1B, 0xC5, 0x0A, 0x00, 0x01}, 2),
              (std::vector<std::uint32_t>{0x0AC51B00, 0x0100}));
    pkg::BoardData d;
    d.memory_id = 9;
    d.address = 0x60100000;
    EXPECT_EQ(describe_target(d), "memory 9 at 0x60100000");
    d.fuses = {"MAC0", "MAC1"};
    EXPECT_EQ(describe_target(d), "fuses MAC0, MAC1");
}

pkg::Manifest plan_of(pkg::BoardData d) {
    pkg::Manifest m;
    pkg::WriteStep s;
    s.op = pkg::StepOp::PerBoardData;
    s.data = std::move(d);
    m.write_plan.push_back(std::move(s));
    return m;
}

TEST(BoardValues, TheCanonicalFormIsTheBytesAValueEncodesTo) {
    const auto mac = value(pkg::BoardDataSource::Csv, pkg::BoardDataFormat::Hex, 6);
    EXPECT_EQ(canonical_board_value(mac, "00:04:9f:01:23:45"), "00049f012345");
    EXPECT_EQ(canonical_board_value(mac, "00049F012345"), "00049f012345");
    EXPECT_EQ(canonical_board_value(mac, "00-04-9f-01-23-45"), "00049f012345");
    EXPECT_EQ(canonical_board_value(mac, "00:04"), std::nullopt);
    const auto serial = value(pkg::BoardDataSource::Csv, pkg::BoardDataFormat::Le32, 4);
    for (const char* spelling : {"1000", "0x3e8", "1_000"})
        EXPECT_EQ(canonical_board_value(serial, spelling), "e8030000") << spelling;
}

// One CSV holding one MAC (or serial) three times is refused before any board, naming the rows.
TEST(BoardCsv, RowsThatEncodeToTheSameBytesAreRefusedUpFront) {
    auto mac = value(pkg::BoardDataSource::Csv, pkg::BoardDataFormat::Hex, 6);
    mac.name = "mac";
    mac.column = "mac";
    const CsvTable macs = parse_board_csv(
        "key,mac\nb1,00:04:9f:01:23:45\n\nb2,00:04:9f:01:23:46\nb3,00049F012345\n"
        "b4,00-04-9f-01-23-45\n",
        "macs.csv");
    EXPECT_EQ(error_of([&] { check_board_csv(plan_of(mac), &macs); }),
              "macs.csv:5: mac '00049F012345' is the value of line 2 too ('00:04:9f:01:23:45', "
              "the same bytes 00049f012345): every board's value must be its own");
    auto serial = value(pkg::BoardDataSource::Csv, pkg::BoardDataFormat::Le32, 4);
    serial.name = "serial";
    serial.column = "serial";
    const CsvTable serials = parse_board_csv("serial\n1000\n0x3e8\n1_000\n", "serials.csv");
    try {
        check_board_csv(plan_of(serial), &serials);
        ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadInput);
        EXPECT_EQ(std::string(e.what()),
                  "serials.csv:3: serial '0x3e8' is the value of line 2 too ('1000', the same "
                  "bytes e8030000): every board's value must be its own");
    }
    const CsvTable distinct = parse_board_csv("serial\n1000\n1001\n", "ok.csv");
    check_board_csv(plan_of(serial), &distinct);
}

}  // namespace
}  // namespace rtprov::write
