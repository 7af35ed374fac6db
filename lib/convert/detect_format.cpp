// Telling a BD file from an SPSDK YAML by their first tokens, so `convert` needs no --from.

#include <cctype>

#include "rtprov/convert/vendor_config.hpp"

namespace rtprov::convert {

namespace {

// Skips white space and comments of both formats: a BD file has // and /* */, a YAML file #.
std::string_view skip_space_and_comments(std::string_view t) {
    for (;;) {
        while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front())))
            t.remove_prefix(1);
        if (t.starts_with("//") || t.starts_with("#")) {
            const auto eol = t.find('\n');
            t = eol == std::string_view::npos ? std::string_view() : t.substr(eol + 1);
        } else if (t.starts_with("/*")) {
            const auto end = t.find("*/", 2);
            t = end == std::string_view::npos ? std::string_view() : t.substr(end + 2);
        } else {
            return t;
        }
    }
}

}  // namespace

std::optional<std::string> detect_config_format(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF"))
        text.remove_prefix(3);
    text = skip_space_and_comments(text);
    if (text.starts_with("---") || text.starts_with("%YAML"))
        return "spsdk";
    std::size_t n = 0;
    while (n < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[n])) || text[n] == '_'))
        ++n;
    if (n == 0)
        return std::nullopt;
    std::string_view rest = text.substr(n);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t' || rest.front() == '\r' ||
                             rest.front() == '\n'))
        rest.remove_prefix(1);
    if (rest.starts_with("{") || rest.starts_with("("))
        return "bd";
    if (rest.starts_with(":"))
        return "spsdk";
    return std::nullopt;
}

}  // namespace rtprov::convert
