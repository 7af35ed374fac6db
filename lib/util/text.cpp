#include "rtprov/util/text.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov {

namespace {

bool is_control(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
}

}  // namespace

std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (is_control(c))
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        else if (c == '\\')
            out += "\\\\";
        else
            out += c;
    }
    return out;
}

void require_printable(std::string_view value, std::string_view what) {
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (is_control(value[i])) {
            throw Error(
                ErrorCode::Usage,
                fmt::format("{}: control character 0x{:02x} at byte {} ('{}'): names are "
                            "shown on terminals and stored in records, give printable text",
                            what, static_cast<unsigned char>(value[i]), i, printable(value)));
        }
    }
}

void check_json_depth(std::string_view text, std::string_view name, std::size_t max_depth) {
    std::size_t depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;  // the escaped character, '"' included
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) {
                throw Error(ErrorCode::BadInput,
                            fmt::format("{}: JSON nested deeper than {} levels (at byte {})", name,
                                        max_depth, i));
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = up;
        }
    }
    return row[b.size()];
}

std::vector<std::string_view> closest_names(std::span<const std::string_view> candidates,
                                            std::string_view name) {
    std::vector<std::string_view> best;
    std::size_t best_distance = std::max<std::size_t>(2, name.size() / 3) + 1;
    for (const std::string_view c : candidates) {
        const std::size_t d = edit_distance(name, c);
        if (d < best_distance) {
            best_distance = d;
            best.clear();
        }
        if (d == best_distance)
            best.push_back(c);
    }
    return best;
}

}  // namespace rtprov
