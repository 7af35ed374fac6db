#include "cli_errors.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "rtprov/p11/token.hpp"
#include "rtprov/util/text.hpp"

namespace rtprov::cli {

namespace {

// "info", "pkg diff": the subcommands CLI11 had entered when it stopped.
std::string parsed_path(const CLI::App& app) {
    std::string path;
    const CLI::App* at = &app;
    for (;;) {
        const auto subs = at->get_subcommands();
        if (subs.empty())
            return path;
        at = subs.front();
        path += (path.empty() ? "" : " ") + at->get_name();
    }
}

// Whether `word` is an option of `app` that takes a value (its value is the next word).
bool takes_value(const CLI::App& app, std::string_view word) {
    if (!word.starts_with("-") || word.find('=') != std::string_view::npos)
        return false;
    for (const CLI::Option* opt : app.get_options()) {
        if (opt->nonpositional() && opt->check_name(std::string(word)))
            return opt->get_items_expected_max() > 0;
    }
    return false;
}

}  // namespace

const CLI::Validator& existing_file() {
    static const CLI::Validator validator(
        [](std::string& value) -> std::string {
            std::error_code ec;
            const auto status = std::filesystem::status(value, ec);
            if (!std::filesystem::exists(status)) {
                throw Error(ErrorCode::BadInput,
                            fmt::format("{}: cannot open: No such file or directory", value));
            }
            if (std::filesystem::is_directory(status))
                throw Error(ErrorCode::BadInput, fmt::format("{}: cannot open: a folder", value));
            return {};
        },
        "FILE");
    return validator;
}

const CLI::Validator& existing_file_or_token() {
    static const CLI::Validator validator(
        [](std::string& value) -> std::string {
            if (p11::is_uri(value))
                return {};
            return existing_file().operator()(value);
        },
        "FILE|URI");
    return validator;
}

void check_command_name(const CLI::App& app, int argc, const char* const* argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view word = argv[i];
        if (word == "--")
            return;
        if (word.starts_with("-")) {
            i += takes_value(app, word) ? 1 : 0;
            continue;
        }
        std::vector<std::string> names;
        for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
            if (sub->check_name(std::string(word)))
                return;
            names.push_back(sub->get_name());
        }
        const std::vector<std::string_view> views(names.begin(), names.end());
        const auto near = closest_names(views, word);
        std::string hint;
        for (std::size_t n = 0; n < near.size(); ++n)
            hint += fmt::format("{}'{}'", n == 0 ? "; did you mean " : " or ", near[n]);
        throw Error(ErrorCode::Usage,
                    fmt::format("unknown command '{}'{}{}; `rtprov --help` lists the commands",
                                printable(word), hint, hint.empty() ? "" : "?"));
    }
}

Error usage_error(const CLI::App& app, const CLI::ParseError& e) {
    const std::string path = parsed_path(app);
    std::string message = e.what();
    if (message == "A subcommand is required" && path.empty())
        message = "a command is required";
    if (path.empty())
        return Error(ErrorCode::Usage, fmt::format("{}; see `rtprov --help`", message));
    return Error(ErrorCode::Usage,
                 fmt::format("{}: {}; see `rtprov {} --help`", path, message, path));
}

}  // namespace rtprov::cli
