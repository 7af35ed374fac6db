#pragma once
// Per-board values (package schema 2.1 per-board-data steps): the station's CSV file of values
// (one row per board) and how a value becomes the bytes written to flash or burned into fuse
// words. Reserving values is the station's (rtprov::records); writing them the board engine's.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtprov/pkg/manifest.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::write {

// The station's CSV file: a header row naming the columns, then one row per board. The first
// column is the row's key, unique in the file: it is what the station reserves for a board.
struct CsvTable {
    std::string file;
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::size_t> lines;  // the line each row starts at (1-based), for messages
    // The index of column `name`, or nullopt.
    std::optional<std::size_t> column(std::string_view name) const;
};

// Parses CSV text (`name` for errors): comma-separated cells, a cell may be quoted ("a,b", ""
// for a quote), blank lines skipped, surrounding spaces of unquoted cells trimmed. Throws
// Error(BadInput) "NAME:LINE: ..." for a row of another width than the header, an empty or
// repeated key, an unterminated quote, or a file without a header row.
CsvTable parse_board_csv(std::string_view text, const std::string& name);
// Reads and parses a CSV file (Error(BadInput) naming it when unreadable).
CsvTable read_board_csv(const std::filesystem::path& file);

// The bytes `data` writes for `value` (a counter value in decimal, a CSV cell, or the UID as
// 16 hex digits): le32/le64 a number little-endian, hex the digits as bytes (':', '-' and
// spaces between them ignored; a UID most significant byte first), text the characters
// zero-padded. Always data.size bytes. Throws Error(BadInput) "serial: ..." when the value does
// not fit.
Bytes encode_board_value(const pkg::BoardData& data, const std::string& value);

// The canonical form of `value` for `data`: the bytes it encodes to (encode_board_value) in
// lower-case hex. It is what the station reserves and what must be unique, so that spellings of
// one value ("00:04:9f:01:23:45", "00049F012345"; "1000", "0x3e8", "1_000") are one value.
// nullopt when the value does not encode.
std::optional<std::string> canonical_board_value(const pkg::BoardData& data,
                                                 const std::string& value);

// `bytes` as `count` fuse words, little-endian, zero-padded.
std::vector<std::uint32_t> fuse_words_of(ByteView bytes, std::size_t count);

// Where `data` goes: "memory 9 at 0x60100000" or "fuses MAC0, MAC1".
std::string describe_target(const pkg::BoardData& data);

// The plan's csv per-board-data steps against the station's CSV file, before any board: a csv
// step needs a file, and its column must be in it (Error(Usage)); no two rows of its column may
// encode to the same bytes (Error(BadInput) "FILE:LINE: NAME 'V' is the value of line L too
// ('W', the same bytes HEX)").
void check_board_csv(const pkg::Manifest& manifest, const CsvTable* csv);

}  // namespace rtprov::write
