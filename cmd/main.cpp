// rtprov: from a compiler's output to a provisioned i.MX RT10xx. This file only wires the command
// table to CLI11 and maps errors to exit codes; each subcommand lives in its own file.

#include <cstdio>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "rtprov/util/error.hpp"

namespace {

int report(const rtprov::Error& e, rtprov::cli::Output& out) {
    fmt::print(stderr, "rtprov: error: {}\n", e.what());
    out.fail({{"code", rtprov::error_code_name(e.code())},
              {"message", e.what()},
              {"exit_code", rtprov::exit_code(e.code())}});
    return rtprov::exit_code(e.code());
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "rtprov: build, sign, package and write firmware for NXP i.MX RT10xx microcontrollers.\n"
        "Exit codes: 0 ok, 1 usage, 2 bad input, 3 device/transport, 4 verification failed, "
        "5 file I/O."};
    app.set_version_flag("--version", "rtprov " RTPROV_VERSION);
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
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version are "errors" with exit code 0 in CLI11.
        int code = app.exit(e);
        return code == 0 ? 0 : rtprov::exit_code(rtprov::ErrorCode::Usage);
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
