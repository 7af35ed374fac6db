#include "mboot_batch.hpp"

#include <cctype>
#include <sstream>

#include <fmt/format.h>

#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"

namespace rtprov::cli {

std::vector<std::string> split_command_line(std::string_view line) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    char quote = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quote != 0) {
            if (c == quote) {
                quote = 0;
            } else if (c == '\\' && quote == '"' && i + 1 < line.size() &&
                       (line[i + 1] == '"' || line[i + 1] == '\\')) {
                word += line[++i];
            } else {
                word += c;
            }
            continue;
        }
        if (c == '#')
            break;
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (in_word)
                words.push_back(std::exchange(word, {}));
            in_word = false;
            continue;
        }
        in_word = true;
        if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '\\' && i + 1 < line.size()) {
            word += line[++i];
        } else {
            word += c;
        }
    }
    if (quote != 0)
        throw Error(ErrorCode::BadInput, fmt::format("no closing quote ({})", quote));
    if (in_word)
        words.push_back(word);
    return words;
}

std::vector<BatchLine> read_batch(const std::filesystem::path& path,
                                  const DeviceOpOptions& options) {
    std::istringstream text(read_text_file(path));
    std::vector<BatchLine> out;
    std::size_t number = 0;
    for (std::string line; std::getline(text, line);) {
        ++number;
        const std::string where = fmt::format("{}:{}", path.string(), number);
        try {
            auto words = split_command_line(line);
            if (words.empty())
                continue;
            if (words[0] == "batch")
                throw Error(ErrorCode::BadInput, "a batch file cannot run another batch file");
            BatchLine b;
            b.line = number;
            b.op = &options.lookup(where, words[0], words.size() - 1);
            b.args.assign(words.begin() + 1, words.end());
            out.push_back(std::move(b));
        } catch (const Error& e) {
            // A wrong line is a fault of the file (bad input), named by its line.
            const bool here = e.message().starts_with(where);
            throw Error(ErrorCode::BadInput,
                        here ? e.message() : fmt::format("{}: {}", where, e.message()));
        }
    }
    return out;
}

}  // namespace rtprov::cli
