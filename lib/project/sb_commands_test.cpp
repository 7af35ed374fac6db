// SB command files: every command, padding of loads, and the messages for what is wrong.

#include "rtprov/project/sb_commands.hpp"

#include <gtest/gtest.h>

#include "rtprov/util/error.hpp"
#include "test_support.hpp"

namespace rtprov::project {
namespace {

std::string error_of(const std::string& text) {
    try {
        parse_sb_commands(text, "/p/c.yaml", 0);
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

TEST(SbCommands, EveryCommand) {
    test::TempDir t;
    test::write_bytes(t / "app.bin", Bytes(20, 0x11));
    test::write_text(t / "c.yaml", R"(timestamp: 2020-04-24T15:33:32Z
product_version: 1.2.3
header_padding: db00767af4810b86
sections:
  - id: 7
    commands:
      - fill: {address: 0x2000, pattern: 0xC0233007}
      - enable: {memory: flexspi-nor, address: 0x2000}
      - erase: {address: 0x60000000, length: 0x10000}
      - erase: {all: true, memory: 9}
      - load: {address: 0x60001000, file: app.bin}
      - load: {address: 0x20000000, data: 0011, padding: 0102030405060708090a0b0c0d0e}
      - jump: {address: 0x60002000, stack_pointer: 0x20020000}
      - call: {address: 0x20000401, argument: 5}
      - prog: {index: 0x29, value: 0x12345678}
      - mode: 3
      - reset
      - nop
first_boot_section: 7
)");
    const sb::SbFile f = load_sb_commands(t / "c.yaml", 42);
    EXPECT_EQ(sb::timestamp_text(f.timestamp), "2020-04-24T15:33:32Z");
    EXPECT_EQ(sb::version_text(f.product_version), "1.2.3");
    EXPECT_EQ(f.header_padding[0], 0xDB);
    ASSERT_EQ(f.sections.size(), 1u);
    const auto& c = f.sections[0].commands;
    ASSERT_EQ(c.size(), 12u);
    EXPECT_EQ(c[0], sb::fill(0x2000, 0xC0233007));
    EXPECT_EQ(c[1], sb::enable(9, 0x2000, 4));
    EXPECT_EQ(c[3], sb::erase_all(9));
    EXPECT_EQ(c[4].payload.size(), 32u);  // 20 bytes, zero padded
    EXPECT_EQ(c[4].payload[20], 0);
    EXPECT_EQ(c[5].payload.size(), 16u);
    EXPECT_EQ(c[5].payload[15], 0x0E);
    EXPECT_EQ(c[6], sb::jump(0x60002000, 0, 0x20020000));
    EXPECT_EQ(c[7], sb::call(0x20000401, 5));
    EXPECT_EQ(c[8], sb::prog(0x29, 0x12345678, std::nullopt, 0x200));
    EXPECT_EQ(c[9], sb::mode(3));
    EXPECT_EQ(c[10], sb::reset());
    EXPECT_EQ(c[11], sb::Command{});
}

TEST(SbCommands, DefaultTimestampIsNow) {
    EXPECT_EQ(parse_sb_commands("sections: [{commands: [reset]}]", "/p/c.yaml", 1234).timestamp,
              1234u);
    EXPECT_GT(sb_now(), 640000000ull * 1000000ull);
}

TEST(SbCommands, Errors) {
    EXPECT_EQ(error_of("sections: []"),
              "/p/c.yaml:1:11: 'sections' must list at least one section");
    EXPECT_EQ(error_of("sections: [{commands: [jump]}]"),
              "/p/c.yaml:1:24: 'sections[0].commands[0]': 'jump' needs arguments ({...}); only "
              "reset and nop stand alone");
    EXPECT_EQ(error_of("sections: [{commands: [{flash: {}}]}]"),
              "/p/c.yaml:1:25: 'sections[0].commands[0]': unknown command 'flash'; use fill, "
              "enable, erase, load, jump, call, prog, mode, reset or nop");
    EXPECT_EQ(error_of("sections: [{commands: [{fill: {pattern: 1}}]}]"),
              "/p/c.yaml:1:31: 'sections[0].commands[0] (fill)' needs 'address'");
    EXPECT_EQ(error_of("sections: [{commands: [{enable: {memory: qspi, address: 0}}]}]"),
              "/p/c.yaml:1:42: 'sections[0].commands[0] (enable).memory': unknown memory 'qspi'; "
              "use flexspi-nor, semc-nor, semc-nand, spi-nand, spi-nor, sd, mmc, internal, fuse "
              "or a number");
    EXPECT_EQ(error_of("sections: [{commands: [{load: {address: 0, data: 00, padding: 0102}}]}]"),
              "/p/c.yaml:1:63: 'sections[0].commands[0] (load).padding': 2 bytes; the 1 bytes "
              "loaded need 15 more (mod 16)");
    EXPECT_EQ(error_of("sections: [{commands: [{load: {address: 0}}]}]"),
              "/p/c.yaml:1:31: 'sections[0].commands[0] (load)' needs either 'file' or 'data'");
    EXPECT_EQ(error_of("timestamp: yesterday\nsections: [{commands: [reset]}]"),
              "/p/c.yaml:1:12: timestamp 'yesterday': expected a UTC time YYYY-MM-DDTHH:MM:SSZ "
              "from 2000 on");
    EXPECT_EQ(error_of("first_boot_section: 2\nsections: [{commands: [reset]}]"),
              "/p/c.yaml:1:1: the first boot section 2 is not a bootable section of the file; "
              "the flashloader would execute nothing");
    EXPECT_EQ(error_of("trailer_padding: 00\nsections: [{commands: [reset]}]"),
              "/p/c.yaml:1:18: 'trailer_padding' is 1 bytes; expected 12");
}

}  // namespace
}  // namespace rtprov::project
