#include "rtprov/write/board_data.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/parse.hpp"

namespace rtprov::write {

namespace {

std::string trimmed(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos)
        return "";
    const auto e = s.find_last_not_of(" \t\r");
    return std::string(s.substr(b, e - b + 1));
}

// One CSV record starting at `at` (which it advances past the record's line end).
std::vector<std::string> csv_record(std::string_view text, std::size_t& at, std::size_t& line,
                                    const std::string& name) {
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false;
    bool was_quoted = false;
    std::size_t quoted_end = 0;
    const std::size_t first_line = line;
    for (; at < text.size(); ++at) {
        const char c = text[at];
        if (quoted) {
            if (c == '"' && at + 1 < text.size() && text[at + 1] == '"') {
                cell += '"';
                ++at;
            } else if (c == '"') {
                quoted = false;
                quoted_end = cell.size();
            } else {
                line += c == '\n' ? 1 : 0;
                cell += c;
            }
        } else if (c == '"' && trimmed(cell).empty()) {
            quoted = was_quoted = true;
            cell.clear();
        } else if (c == ',' || c == '\n') {
            // Spaces (and a CR) after a closing quote are not part of the cell.
            cells.push_back(was_quoted ? cell.substr(0, quoted_end) : trimmed(cell));
            cell.clear();
            was_quoted = false;
            if (c == '\n') {
                ++at;
                ++line;
                return cells;
            }
        } else {
            cell += c;
        }
    }
    if (quoted)
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}:{}: a quoted cell is not closed", name, first_line));
    cells.push_back(was_quoted ? cell.substr(0, quoted_end) : trimmed(cell));
    return cells;
}

std::size_t line_of(const CsvTable& t, std::size_t row) {
    return row < t.lines.size() ? t.lines[row] : row + 2;
}

bool blank(const std::vector<std::string>& cells) {
    return std::all_of(cells.begin(), cells.end(), [](const auto& c) { return c.empty(); });
}

[[noreturn]] void bad_value(const pkg::BoardData& d, const std::string& why) {
    throw Error(ErrorCode::BadInput, fmt::format("{}: {}", d.name, why));
}

std::uint64_t number_of(const pkg::BoardData& d, const std::string& value) {
    const auto v =
        d.source == pkg::BoardDataSource::Uid ? parse_uint("0x" + value) : parse_uint(value);
    if (!v)
        bad_value(d, fmt::format("'{}' is not a number", value));
    return *v;
}

}  // namespace

std::optional<std::size_t> CsvTable::column(std::string_view name) const {
    const auto it = std::find(columns.begin(), columns.end(), name);
    if (it == columns.end())
        return std::nullopt;
    return static_cast<std::size_t>(it - columns.begin());
}

CsvTable parse_board_csv(std::string_view text, const std::string& name) {
    CsvTable t;
    t.file = name;
    std::size_t at = 0;
    std::size_t line = 1;
    std::set<std::string> keys;
    while (at < text.size()) {
        const std::size_t row_line = line;
        std::vector<std::string> cells = csv_record(text, at, line, name);
        if (blank(cells))
            continue;
        if (t.columns.empty()) {
            t.columns = std::move(cells);
            continue;
        }
        if (cells.size() != t.columns.size()) {
            throw Error(ErrorCode::BadInput, fmt::format("{}:{}: {} cells, the header has {}", name,
                                                         row_line, cells.size(), t.columns.size()));
        }
        if (cells[0].empty())
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}:{}: the key ({}) is empty", name, row_line, t.columns[0]));
        if (!keys.insert(cells[0]).second) {
            throw Error(ErrorCode::BadInput, fmt::format("{}:{}: {} '{}' is in the file twice",
                                                         name, row_line, t.columns[0], cells[0]));
        }
        t.rows.push_back(std::move(cells));
        t.lines.push_back(row_line);
    }
    if (t.columns.empty())
        throw Error(ErrorCode::BadInput, fmt::format("{}: no header row", name));
    return t;
}

CsvTable read_board_csv(const std::filesystem::path& file) {
    return parse_board_csv(read_text_file(file, kMaxCsvFile), file.string());
}

Bytes encode_board_value(const pkg::BoardData& d, const std::string& value) {
    Bytes out;
    switch (d.format) {
        case pkg::BoardDataFormat::Le32: {
            const std::uint64_t v = number_of(d, value);
            if (v > 0xFFFFFFFFu)
                bad_value(d, fmt::format("{} does not fit 32 bits", value));
            append_le32(out, static_cast<std::uint32_t>(v));
            break;
        }
        case pkg::BoardDataFormat::Le64: {
            const std::uint64_t v = number_of(d, value);
            append_le32(out, static_cast<std::uint32_t>(v));
            append_le32(out, static_cast<std::uint32_t>(v >> 32));
            break;
        }
        case pkg::BoardDataFormat::Hex: {
            std::string digits;
            for (char c : value) {
                if (c != ':' && c != '-' && c != ' ')
                    digits += c;
            }
            try {
                out = parse_hex(digits, d.name);
            } catch (const Error&) {
                bad_value(d, fmt::format("'{}' is not hex bytes", value));
            }
            if (out.size() != d.size)
                bad_value(d, fmt::format("'{}' is {} bytes, not {}", value, out.size(), d.size));
            break;
        }
        case pkg::BoardDataFormat::Text:
            if (value.size() > d.size)
                bad_value(d, fmt::format("'{}' is longer than {} bytes", value, d.size));
            out.assign(value.begin(), value.end());
            out.resize(d.size, 0);
            break;
    }
    return out;
}

std::optional<std::string> canonical_board_value(const pkg::BoardData& d,
                                                 const std::string& value) {
    Bytes bytes;
    try {
        bytes = encode_board_value(d, value);
    } catch (const Error&) {
        return std::nullopt;
    }
    std::string hex;
    for (const std::uint8_t b : bytes)
        hex += fmt::format("{:02x}", b);
    return hex;
}

std::vector<std::uint32_t> fuse_words_of(ByteView bytes, std::size_t count) {
    std::vector<std::uint32_t> words(count, 0);
    for (std::size_t i = 0; i < bytes.size() && i / 4 < count; ++i)
        words[i / 4] |= std::uint32_t{bytes[i]} << (8 * (i % 4));
    return words;
}

std::string describe_target(const pkg::BoardData& d) {
    if (!d.fuses.empty())
        return fmt::format("fuses {}", fmt::join(d.fuses, ", "));
    return fmt::format("memory {} at 0x{:08x}", d.memory_id, d.address);
}

void check_board_csv(const pkg::Manifest& m, const CsvTable* csv) {
    for (const pkg::BoardData* d : pkg::board_data_steps(m)) {
        if (d->source != pkg::BoardDataSource::Csv)
            continue;
        if (csv == nullptr) {
            throw Error(ErrorCode::Usage,
                        fmt::format("the package writes per-board value '{}' from the CSV column "
                                    "'{}': give the station's file with --board-data FILE.csv",
                                    d->name, d->column));
        }
        const auto column = csv->column(d->column);
        if (!column) {
            throw Error(ErrorCode::Usage,
                        fmt::format("{} has no column '{}' (per-board value '{}'); its columns: {}",
                                    csv->file, d->column, d->name, fmt::join(csv->columns, ", ")));
        }
        // Two spellings of one value would give two boards one MAC: refused before any board.
        std::map<std::string, std::size_t> seen;  // canonical form -> row
        for (std::size_t i = 0; i < csv->rows.size(); ++i) {
            const std::string& value = csv->rows[i][*column];
            const auto canonical = canonical_board_value(*d, value);
            if (!canonical)
                continue;  // refused when that board's value is encoded
            const auto [it, fresh] = seen.emplace(*canonical, i);
            if (fresh)
                continue;
            const std::size_t first = it->second;
            throw Error(ErrorCode::BadInput,
                        fmt::format("{}:{}: {} '{}' is the value of line {} too ('{}', the same "
                                    "bytes {}): every board's value must be its own",
                                    csv->file, line_of(*csv, i), d->name, value,
                                    line_of(*csv, first), csv->rows[first][*column], *canonical));
        }
    }
}

}  // namespace rtprov::write
