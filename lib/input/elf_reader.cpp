// ELF32 little-endian reader: loads the file bytes of PT_LOAD segments at their physical (load)
// addresses, which is where flash programming must put them.

#include <algorithm>

#include <fmt/format.h>

#include "rtprov/input/formats.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::input {

namespace {

constexpr std::size_t kHeaderSize = 52;
constexpr std::size_t kProgramHeaderSize = 32;
constexpr std::uint32_t kPtLoad = 1;

[[noreturn]] void fail(const std::string& name, std::string_view message) {
    throw Error(ErrorCode::BadInput, fmt::format("{}: {}", name, message));
}

void check_identification(ByteView c, const std::string& name) {
    if (c.size() < 4 || c[0] != 0x7F || c[1] != 'E' || c[2] != 'L' || c[3] != 'F') {
        std::string found = c.empty() ? "an empty file" : "";
        for (std::size_t i = 0; i < std::min<std::size_t>(c.size(), 4); ++i) {
            found += fmt::format("{}{:02X}", i == 0 ? "" : " ", c[i]);
        }
        fail(name,
             fmt::format("offset 0x0: not an ELF file (magic should be 7F 45 4C 46, found {})",
                         found));
    }
    if (c.size() > 4 && c[4] == 2) {
        fail(name, "offset 0x4: ELFCLASS64 is not supported; rtprov needs a 32-bit ELF");
    }
    if (c.size() > 4 && c[4] != 1) {
        fail(name,
             fmt::format("offset 0x4: invalid ELF class {}; rtprov needs a 32-bit ELF", c[4]));
    }
    if (c.size() > 5 && c[5] == 2) {
        fail(name,
             "offset 0x5: big-endian ELF (ELFDATA2MSB) is not supported; rtprov needs a "
             "little-endian ELF");
    }
    if (c.size() > 5 && c[5] != 1) {
        fail(name, fmt::format("offset 0x5: invalid ELF data encoding {}; rtprov needs a "
                               "little-endian ELF",
                               c[5]));
    }
    if (c.size() < kHeaderSize) {
        fail(name, fmt::format("offset 0x0: ELF header truncated: the file has {} bytes, an ELF32 "
                               "header needs {}",
                               c.size(), kHeaderSize));
    }
}

}  // namespace

MemoryImage read_elf(ByteView c, const std::string& name) {
    check_identification(c, name);
    const std::uint64_t size = c.size();
    const std::uint32_t phoff = load_le32(&c[0x1C]);
    const std::uint16_t phentsize = load_le16(&c[0x2A]);
    const std::uint16_t phnum = load_le16(&c[0x2C]);
    if (phnum == 0) {
        fail(name,
             "offset 0x2C: no program headers (e_phnum is 0); rtprov loads PT_LOAD segments, so "
             "give a linked executable, not an object file");
    }
    if (phentsize < kProgramHeaderSize) {
        fail(name, fmt::format("offset 0x2A: program header entry size is {} bytes; ELF32 needs "
                               "at least {}",
                               phentsize, kProgramHeaderSize));
    }
    if (phoff + std::uint64_t{phnum} * phentsize > size) {
        fail(name, fmt::format("offset 0x{:X}: program header table ({} x {} bytes at 0x{:X}) runs "
                               "past the end of the file ({} bytes)",
                               phoff, phnum, phentsize, phoff, size));
    }

    MemoryImage image;
    for (std::size_t i = 0; i < phnum; ++i) {
        const std::uint8_t* ph = &c[phoff + i * phentsize];
        const std::uint32_t offset = load_le32(ph + 4);
        const std::uint32_t paddr = load_le32(ph + 12);
        const std::uint32_t filesz = load_le32(ph + 16);
        const std::uint32_t memsz = load_le32(ph + 20);
        // Only file bytes go in the image: the memsz - filesz tail is .bss, zeroed at run time.
        if (load_le32(ph) != kPtLoad || filesz == 0)
            continue;
        const std::string origin = fmt::format("{}: segment {}", name, i);
        if (filesz > memsz) {
            fail(origin,
                 fmt::format("p_filesz 0x{:X} is larger than p_memsz 0x{:X}", filesz, memsz));
        }
        if (std::uint64_t{offset} + filesz > size) {
            fail(origin, fmt::format("data (0x{:X} bytes at file offset 0x{:X}) runs past the end "
                                     "of the file ({} bytes)",
                                     filesz, offset, size));
        }
        image.add(paddr, c.subspan(offset, filesz), origin);
    }
    // ELF uses e_entry 0 for "no entry point".
    if (const std::uint32_t entry = load_le32(&c[0x18]); entry != 0)
        image.entry_point = entry;
    return image;
}

}  // namespace rtprov::input
