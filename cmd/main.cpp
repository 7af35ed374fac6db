// rtprov: from a compiler's output to a provisioned i.MX RT10xx. This file only wires the command
// table to CLI11 and maps errors to exit codes; each subcommand lives in its own file.

#include <cstdio>
#include <memory>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli_errors.hpp"
#include "command.hpp"
#include "version.hpp"
#include "rtprov/util/error.hpp"

namespace {

int report(const rtprov::Error& e, rtprov::cli::Output& out) {
    fmt::print(stderr, "rtprov: error: {}\n", e.what());
    out.fail({{"code", rtprov::error_code_name(e.code())},
              {"message", e.what()},
              {"exit_code", rtprov::exit_code(e.code())}});
    return rtprov::exit_code(e.code());
}

// --json given, as far as a command line that did not parse tells (its flags are set only when the
// whole line parses).
bool asked_for_json(int argc, char** argv) {
    for (int i = 1; i < argc && std::string_view(argv[i]) != "--"; ++i)
        if (std::string_view(argv[i]) == "--json")
            return true;
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "rtprov: build, sign, package and write firmware for NXP i.MX RT10xx microcontrollers.\n"
        "Exit codes: 0 ok, 1 usage, 2 bad input, 3 device/transport, 4 verification failed, "
        "5 file I/O."};
    app.set_version_flag(
        "--version", [argc, argv] { return rtprov::cli::version_output(asked_for_json(argc, argv)); },
        "Print the version, commit, build date and library versions (JSON with --json)");
    app.require_subcommand(1);
    app.fallthrough();
    bool json = false;
    int verbose = 0;
    bool quiet = false;
    app.add_flag("--json", json, "Print the result as one JSON document on stdout");
    app.add_flag("-v,--verbose", verbose, "Print details of each step on stderr");
    app.add_flag("-q,--quiet", quiet, "Print nothing but errors");

    std::vector<std::pair<CLI::App*, std::unique_ptr<rtprov::cli::Command>>> commands;
    for (const auto& row : rtprov::cli::command_table()) {
        CLI::App* sub = app.add_subcommand(std::string(row.name), std::string(row.help));
        auto cmd = row.make();
        cmd->setup(*sub);
        commands.emplace_back(sub, std::move(cmd));
    }

    try {
        rtprov::cli::check_command_name(app, argc, argv);
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0)
            return app.exit(e);  // --help and --version are "errors" with exit code 0 in CLI11
        rtprov::cli::Output out(json || asked_for_json(argc, argv), -1);
        return report(rtprov::cli::usage_error(app, e), out);
    } catch (const rtprov::Error& e) {  // an unknown command, a missing input file
        rtprov::cli::Output out(json || asked_for_json(argc, argv), -1);
        return report(e, out);
    }

    rtprov::cli::Output out(json, quiet ? -1 : verbose);
    try {
        for (auto& [sub, cmd] : commands) {
            if (sub->parsed()) {
                const int status = cmd->run(out);
                out.finish();
                return status;
            }
        }
        return rtprov::exit_code(rtprov::ErrorCode::Usage);
    } catch (const rtprov::Error& e) {
        return report(e, out);
    } catch (const std::exception& e) {
        return report(rtprov::Error(rtprov::ErrorCode::Internal, e.what()), out);
    }
}
