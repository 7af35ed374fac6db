#include <gtest/gtest.h>

#include "input_test_support.hpp"
#include "rtprov/input/formats.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::input {
namespace {

using test::error_of;

constexpr std::uint32_t kPtLoad = 1;
constexpr std::uint32_t kPtNote = 4;

// A hand-built ELF32 LE file: header, `phnum` program headers at 0x34, segment data appended.
class ElfFile {
  public:
    explicit ElfFile(std::uint16_t phnum, std::uint16_t machine = 40) : bytes_(52 + 32 * phnum) {
        const std::uint8_t ident[] = {0x7F, 'E', 'L', 'F', 1, 1, 1};
        std::copy(std::begin(ident), std::end(ident), bytes_.begin());
        store_le16(&bytes_[0x10], 2);  // ET_EXEC
        store_le16(&bytes_[0x12], machine);
        store_le32(&bytes_[0x14], 1);
        store_le32(&bytes_[0x1C], 52);  // e_phoff
        store_le16(&bytes_[0x28], 52);
        store_le16(&bytes_[0x2A], 32);
        store_le16(&bytes_[0x2C], phnum);
    }
    ElfFile& entry(std::uint32_t address) {
        store_le32(&bytes_[0x18], address);
        return *this;
    }
    // Program header `index`; its file data is appended at the end of the file.
    ElfFile& segment(std::size_t index, std::uint32_t type, std::uint32_t vaddr,
                     std::uint32_t paddr, const Bytes& data, std::uint32_t memsz) {
        std::uint8_t* ph = &bytes_[52 + 32 * index];
        const auto offset = static_cast<std::uint32_t>(bytes_.size());
        store_le32(ph + 0, type);
        store_le32(ph + 4, offset);
        store_le32(ph + 8, vaddr);
        store_le32(ph + 12, paddr);
        store_le32(ph + 16, static_cast<std::uint32_t>(data.size()));
        store_le32(ph + 20, memsz);
        store_le32(ph + 24, 7);
        store_le32(ph + 28, 4);
        bytes_.insert(bytes_.end(), data.begin(), data.end());
        return *this;
    }
    Bytes& bytes() { return bytes_; }

  private:
    Bytes bytes_;
};

std::string elf_error(const Bytes& bytes) {
    return error_of([&] { read_elf(bytes, "app.elf"); });
}

TEST(ReadElf, LoadsFileBytesOfLoadSegmentsAtPhysicalAddresses) {
    ElfFile elf(4);
    elf.segment(0, kPtLoad, 0x60002000, 0x60002000, test::pattern(16), 16)
        // .data runs at 0x20000000 but is stored after .text; its .bss tail is not in the file.
        .segment(1, kPtLoad, 0x20000000, 0x60002010, test::pattern(8, 2), 0x108)
        .segment(2, kPtLoad, 0x20001000, 0x20001000, {}, 0x1000)  // pure .bss
        .segment(3, kPtNote, 0, 0x70000000, test::pattern(4), 4)
        .entry(0x60002101);
    const auto image = read_elf(elf.bytes(), "app.elf");
    ASSERT_EQ(image.segments().size(), 1u);
    EXPECT_EQ(image.segments()[0].address, 0x60002000u);
    EXPECT_EQ(image.segments()[0].origin, "app.elf: segment 0");
    Bytes expected = test::pattern(16);
    const Bytes data = test::pattern(8, 2);
    expected.insert(expected.end(), data.begin(), data.end());
    EXPECT_EQ(image.segments()[0].data, expected);
    EXPECT_EQ(image.entry_point, 0x60002101u);
}

TEST(ReadElf, AcceptsOtherMachinesAndTreatsEntryZeroAsNone) {
    ElfFile elf(1, /*machine=*/3);
    elf.segment(0, kPtLoad, 0x1000, 0x1000, {1, 2, 3}, 3);
    const auto image = read_elf(elf.bytes(), "x86.elf");
    EXPECT_EQ(image.byte_count(), 3u);
    EXPECT_FALSE(image.entry_point);
}

TEST(ReadElf, RejectsFilesWithoutTheMagic) {
    EXPECT_EQ(elf_error({}),
              "app.elf: offset 0x0: not an ELF file (magic should be 7F 45 4C 46, found an empty "
              "file)");
    EXPECT_EQ(elf_error({0x4D, 0x5A, 0x90, 0x00, 0x03}),
              "app.elf: offset 0x0: not an ELF file (magic should be 7F 45 4C 46, found 4D 5A 90 "
              "00)");
    EXPECT_EQ(elf_error({0x7F, 0x45}),
              "app.elf: offset 0x0: not an ELF file (magic should be 7F 45 4C 46, found 7F 45)");
}

TEST(ReadElf, RejectsElf64AndUnknownClasses) {
    ElfFile elf(0);
    elf.bytes()[4] = 2;
    EXPECT_EQ(elf_error(elf.bytes()),
              "app.elf: offset 0x4: ELFCLASS64 is not supported; rtprov needs a 32-bit ELF");
    elf.bytes()[4] = 3;
    EXPECT_EQ(elf_error(elf.bytes()),
              "app.elf: offset 0x4: invalid ELF class 3; rtprov needs a 32-bit ELF");
}

TEST(ReadElf, RejectsBigEndianAndUnknownEncodings) {
    ElfFile elf(0);
    elf.bytes()[5] = 2;
    EXPECT_EQ(elf_error(elf.bytes()),
              "app.elf: offset 0x5: big-endian ELF (ELFDATA2MSB) is not supported; rtprov needs a "
              "little-endian ELF");
    elf.bytes()[5] = 0;
    EXPECT_EQ(elf_error(elf.bytes()),
              "app.elf: offset 0x5: invalid ELF data encoding 0; rtprov needs a little-endian ELF");
}

TEST(ReadElf, RejectsATruncatedHeader) {
    ElfFile elf(0);
    elf.bytes().resize(20);
    EXPECT_EQ(elf_error(elf.bytes()),
              "app.elf: offset 0x0: ELF header truncated: the file has 20 bytes, an ELF32 header "
              "needs 52");
}

TEST(ReadElf, RejectsFilesWithoutProgramHeaders) {
    EXPECT_EQ(elf_error(ElfFile(0).bytes()),
              "app.elf: offset 0x2C: no program headers (e_phnum is 0); rtprov loads PT_LOAD "
              "segments, so give a linked executable, not an object file");
}

TEST(ReadElf, RejectsSmallProgramHeaderEntries) {
    ElfFile elf(1);
    store_le16(&elf.bytes()[0x2A], 16);
    EXPECT_EQ(elf_error(elf.bytes()),
              "app.elf: offset 0x2A: program header entry size is 16 bytes; ELF32 needs at least "
              "32");
}

TEST(ReadElf, RejectsAProgramHeaderTablePastTheEnd) {
    ElfFile elf(3);
    elf.bytes().resize(80);
    EXPECT_EQ(elf_error(elf.bytes()),
              "app.elf: offset 0x34: program header table (3 x 32 bytes at 0x34) runs past the end "
              "of the file (80 bytes)");
}

TEST(ReadElf, RejectsSegmentDataPastTheEnd) {
    ElfFile elf(3);
    elf.segment(0, kPtLoad, 0x1000, 0x1000, {1, 2}, 2)
        .segment(1, kPtLoad, 0x2000, 0x2000, {3, 4}, 2)
        .segment(2, kPtLoad, 0x3000, 0x3000, Bytes(16, 0), 16);
    elf.bytes().resize(elf.bytes().size() - 1);  // 0x98 + 2 + 2 + 15 bytes
    EXPECT_EQ(elf_error(elf.bytes()),
              "app.elf: segment 2: data (0x10 bytes at file offset 0x98) runs past the end of the "
              "file (167 bytes)");
}

TEST(ReadElf, RejectsFileSizeLargerThanMemorySize) {
    ElfFile elf(1);
    elf.segment(0, kPtLoad, 0x1000, 0x1000, Bytes(16, 0), 8);
    EXPECT_EQ(elf_error(elf.bytes()),
              "app.elf: segment 0: p_filesz 0x10 is larger than p_memsz 0x8");
}

TEST(ReadElf, OverlappingSegmentsNameBoth) {
    ElfFile elf(2);
    elf.segment(0, kPtLoad, 0x1000, 0x1000, Bytes(16, 0), 16)
        .segment(1, kPtLoad, 0x1008, 0x1008, Bytes(16, 0), 16);
    EXPECT_EQ(elf_error(elf.bytes()),
              "app.elf: segment 1: data at 0x00001008..0x00001017 overlaps data from app.elf: "
              "segment 0 (0x00001000..0x0000100F), first overlapping byte 0x00001008");
}

TEST(ReadElf, RejectsSegmentsPastFourGigabytes) {
    ElfFile elf(1);
    elf.segment(0, kPtLoad, 0xFFFFFFF8, 0xFFFFFFF8, Bytes(16, 0), 16);
    EXPECT_EQ(elf_error(elf.bytes()),
              "app.elf: segment 0: 16 bytes at 0xFFFFFFF8 run past the end of the 32-bit address "
              "space");
}

// `objcopy -I binary -O elf32-little` writes a relocatable object with sections but no program
// headers, so there is nothing to load; the error must say why.
TEST(ReadElf, ObjcopyRelocatableOutputIsRejectedClearly) {
    if (!test::have_tool("objcopy"))
        GTEST_SKIP() << "objcopy not installed";
    rtprov::test::TempDir dir;
    rtprov::test::write_bytes(dir / "in.bin", test::pattern(100));
    const auto out = (dir / "out.elf").string();
    ASSERT_TRUE(test::run_ok(
        fmt::format("objcopy -I binary -O elf32-little --change-addresses 0x60002000 '{}' '{}'",
                    (dir / "in.bin").string(), out)));
    EXPECT_EQ(error_of([&] { read_elf(read_file(out), "out.elf"); }),
              "out.elf: offset 0x2C: no program headers (e_phnum is 0); rtprov loads PT_LOAD "
              "segments, so give a linked executable, not an object file");
}

// Independent check: GNU ld links the same bytes into an executable whose .data runs at
// 0x20000000 but is loaded at 0x60002000 (AT), followed by .bss; we must load exactly the bytes
// at their load addresses.
TEST(ReadElf, MatchesGnuLdExecutable) {
    if (!test::have_tool("objcopy") || !test::have_tool("ld"))
        GTEST_SKIP() << "binutils missing";
    rtprov::test::TempDir dir;
    const Bytes original = test::pattern(70000, 3);
    rtprov::test::write_bytes(dir / "in.bin", original);
    rtprov::test::write_text(dir / "link.ld",
                             "SECTIONS {\n"
                             "  .data 0x20000000 : AT(0x60002000) { *(.data) }\n"
                             "  .bss : { . = . + 0x100; }\n"
                             "}\n");
    ASSERT_TRUE(
        test::run_ok(fmt::format("cd '{}' && objcopy -I binary -O elf32-i386 -B i386 "
                                 "in.bin in.o",
                                 dir.path().string())));
    const auto ld = rtprov::test::run_command(
        fmt::format("cd '{}' && ld -m elf_i386 --build-id=none -z noexecstack -e 0x60002001 "
                    "-T link.ld -o linked.elf in.o",
                    dir.path().string()));
    if (ld.exit_code != 0)
        GTEST_SKIP() << "ld cannot link for elf_i386: " << ld.err;
    const auto image = read_elf(read_file(dir / "linked.elf"), "linked.elf");
    MemoryImage expected = read_binary(original, 0x60002000, "in.bin");
    expected.entry_point = 0x60002001;
    EXPECT_TRUE(test::same_image(image, expected));
}

}  // namespace
}  // namespace rtprov::input
