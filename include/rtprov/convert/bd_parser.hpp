#pragma once
// NXP's BD command-file format (elftosb / SPSDK `nxpimage hab`), the subset HAB configurations use:
//   options { name = value; ... }   sources { name = extern(0); ... }   constants { NAME = 20; }
//   section (ID; Key = value, Key = value) { }
// Values are numbers (decimal, 0x hex), "strings", identifiers and extern(N). Comments are
// `// ...` and `/* ... */`. The parser keeps positions so later checks can name file:line:column.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rtprov::convert {

// A position in the source text (1-based).
struct BdLocation {
    int line = 1;
    int column = 1;
};

struct BdValue {
    enum class Kind { Number, String, Identifier, Extern };
    Kind kind = Kind::Number;
    std::uint64_t number = 0;  // Number, Extern (the N of extern(N))
    std::string text;          // String (unquoted), Identifier; the source spelling of a Number
    BdLocation where;
};

struct BdSetting {
    std::string name;
    BdValue value;
    BdLocation where;  // of the name
};

struct BdSection {
    std::string id_text;   // as written: "SEC_CSF_HEADER" or "20"
    std::uint64_t id = 0;  // resolved through the constants block
    std::vector<BdSetting> settings;
    BdLocation where;  // of the id
};

struct BdFile {
    std::vector<BdSetting> options;
    std::vector<BdSetting> sources;
    std::vector<BdSetting> constants;
    std::vector<BdSection> sections;
};

// Parses BD text; `name` prefixes error messages ("config.bd:12:5: expected ';'").
// Throws Error(BadInput) at the first syntax error, unknown block, repeated name in a block,
// non-empty section body, or section id that is neither a number nor a defined constant.
BdFile parse_bd(std::string_view text, const std::string& name);

// Reads and parses a BD file (errors name the path).
BdFile load_bd(const std::string& path);

}  // namespace rtprov::convert
