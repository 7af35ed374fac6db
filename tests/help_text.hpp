#pragma once
// Reading CLI11 help texts in the black-box tests: which subcommands and long options a
// `rtprov ... --help` lists. The docs and completion tests compare them with what they check.

#include <cctype>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace rtprov::test {

// The lines of a help section ("Options:", "Subcommands:") up to the blank line that ends it;
// empty when the help has no such section.
inline std::vector<std::string> help_section(const std::string& help, const std::string& title) {
    std::vector<std::string> out;
    std::istringstream lines(help);
    bool inside = false;
    for (std::string line; std::getline(lines, line);) {
        if (!inside) {
            inside = line == title;
            continue;
        }
        if (line.empty())
            break;
        out.push_back(line);
    }
    return out;
}

// The names under "Subcommands:" ("build", "pkg", "diff"), in the order listed.
inline std::vector<std::string> help_subcommands(const std::string& help) {
    static const std::regex name(R"(^  ([a-z][\w-]*)(\s|$))");
    std::vector<std::string> out;
    for (const auto& line : help_section(help, "Subcommands:")) {
        std::smatch m;
        if (std::regex_search(line, m, name))
            out.push_back(m[1]);
    }
    return out;
}

// The long options under "Options:" ("--output" of "-o,--output TEXT"), without --help.
inline std::vector<std::string> help_long_options(const std::string& help) {
    static const std::regex names(R"(^  (-[^\s]+))");
    std::vector<std::string> out;
    for (const auto& line : help_section(help, "Options:")) {
        std::smatch m;
        if (!std::regex_search(line, m, names))
            continue;  // a description continued on its own line
        std::istringstream parts(m[1].str());
        for (std::string part; std::getline(parts, part, ',');) {
            if (part.starts_with("--") && part != "--help")
                out.push_back(part);
        }
    }
    return out;
}

// Whether `text` holds `word` not directly followed by another name character, so "--out"
// is not found inside "--output".
inline bool mentions(const std::string& text, const std::string& word) {
    for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
        const auto end = at + word.size();
        const bool name_char_after =
            end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) != 0 ||
                                  text[end] == '-' || text[end] == '_');
        if (!name_char_after)
            return true;
    }
    return false;
}

}  // namespace rtprov::test
