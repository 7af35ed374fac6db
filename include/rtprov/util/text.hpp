#pragma once
// Untrusted text before it is used or shown: names an operator gives (station, ports) without
// control characters, control characters escaped where stored text is printed, and JSON nesting
// bounded before a parser (or a recursive dump of what it parsed) sees it. And names a user
// probably meant when the one typed is unknown ("did you mean").

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rtprov {

// How deep JSON that rtprov reads may nest (objects and arrays); its own files nest < 10 deep.
inline constexpr std::size_t kMaxJsonDepth = 64;

// `text` with every control character (below 0x20, and 0x7F) written as \xNN and backslashes
// as \\, so that what a terminal shows is what the text holds.
std::string printable(std::string_view text);

// Throws Error(Usage) "WHAT: control character 0xNN at byte I: ..." when `value` holds one
// (escape sequences in a name would be sent to every terminal that shows it).
void require_printable(std::string_view value, std::string_view what);

// Throws Error(BadInput) "NAME: JSON nested deeper than MAX levels (at byte I)" when `text`
// opens more than `max_depth` objects and arrays inside each other. Strings are skipped as
// JSON defines them; malformed text is left for the parser to report.
void check_json_depth(std::string_view text, std::string_view name,
                      std::size_t max_depth = kMaxJsonDepth);

// Levenshtein distance: the insertions, deletions and substitutions that turn `a` into `b`.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The names of `candidates` a typo away from `name` (a third of its letters wrong at most, 2 for
// short names), all of the smallest distance; empty when none is that close.
std::vector<std::string_view> closest_names(std::span<const std::string_view> candidates,
                                            std::string_view name);

}  // namespace rtprov
