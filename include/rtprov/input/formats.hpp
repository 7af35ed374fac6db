#pragma once
// Readers and writers of the application file formats rtprov accepts: ELF32 (PT_LOAD segments by
// physical address), Intel HEX, Motorola S-record and raw binary at a base address. Every reader
// returns the same MemoryImage; every parse error names the file and the line or byte offset.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "rtprov/input/memory_image.hpp"

namespace rtprov::input {

enum class Format { Auto, Elf, IntelHex, Srec, Binary };

// "elf", "hex", "srec", "bin" (and "auto"); nullopt for anything else.
std::optional<Format> parse_format(std::string_view name);
std::string_view format_name(Format format);

// Guesses the format from content (ELF magic, ':' records, 'S' records), falling back to the file
// extension, then to Binary.
Format detect_format(const std::filesystem::path& path, ByteView content);

// Parsers. `name` is used in error messages ("app.hex:12: bad checksum ..."); every bad input
// throws Error(BadInput). A file without data gives an empty image (load_file rejects it). An
// ELF e_entry or S7/S8/S9 address of 0 means "no entry point": those formats cannot omit it.
// read_srec accepts a file without S7/S8/S9 but rejects records after one.
MemoryImage read_elf(ByteView content, const std::string& name);
MemoryImage read_ihex(std::string_view text, const std::string& name);
MemoryImage read_srec(std::string_view text, const std::string& name);
MemoryImage read_binary(ByteView content, std::uint32_t base_address, const std::string& name);

// Loads a file in the given (or detected) format. A binary needs `base_address`; other formats
// ignore it unless given, in which case it must equal the image start (a mismatch is an error).
MemoryImage load_file(const std::filesystem::path& path, Format format = Format::Auto,
                      std::optional<std::uint32_t> base_address = std::nullopt);

// Writers, used by `rtprov convert-app` style tooling and by tests that prove every format of one
// program builds the same image. Intel HEX: 16 data bytes a record, type 04 when the upper address
// changes, type 05 for the entry point. S-record: S0 "rtprov", S3 data, S5/S6 count when it fits,
// S7 entry point (0 for none).
std::string write_ihex(const MemoryImage& image);
std::string write_srec(const MemoryImage& image);
Bytes write_elf(const MemoryImage& image);  // ELF32 LE, ARM, one PT_LOAD per segment

}  // namespace rtprov::input
