#pragma once
// The command table: one row per subcommand drives dispatch, --help and shell completion.
// Each cmd/<name>.cpp defines its options struct, registers them on its CLI11 subcommand, and
// runs by calling the library and printing through Output.

#include <functional>
#include <memory>
#include <span>
#include <string_view>

#include <CLI/CLI.hpp>

#include "output.hpp"

namespace rtprov::cli {

// What a command needs from its environment (shown in `rtprov --help`, used by completion).
enum class Needs { Nothing, Files, Transport };

// A subcommand instance: options bound by setup(), executed by run() after parsing.
class Command {
  public:
    virtual ~Command() = default;
    // Declares the command's options and positionals on its subcommand.
    virtual void setup(CLI::App& app) = 0;
    // Runs the command; returns the process exit code (errors are thrown as rtprov::Error).
    virtual int run(Output& out) = 0;
};

struct CommandRow {
    std::string_view name;
    std::string_view help;  // one line
    Needs needs;
    std::function<std::unique_ptr<Command>()> make;
};

// All subcommands, in the order `rtprov --help` lists them.
std::span<const CommandRow> command_table();

// Factories, one per cmd/<name>.cpp.
std::unique_ptr<Command> make_build_command();
std::unique_ptr<Command> make_sign_command();
std::unique_ptr<Command> make_keys_command();
std::unique_ptr<Command> make_verify_command();
std::unique_ptr<Command> make_convert_command();
std::unique_ptr<Command> make_info_command();
std::unique_ptr<Command> make_sb_command();
std::unique_ptr<Command> make_devices_command();
std::unique_ptr<Command> make_fcb_command();
std::unique_ptr<Command> make_export_pkg_command();
std::unique_ptr<Command> make_import_pkg_command();
std::unique_ptr<Command> make_write_command();
std::unique_ptr<Command> make_records_command();
std::unique_ptr<Command> make_station_command();
std::unique_ptr<Command> make_pkg_command();
std::unique_ptr<Command> make_sdp_command();
std::unique_ptr<Command> make_mboot_command();
std::unique_ptr<Command> make_sim_command();
std::unique_ptr<Command> make_completion_command();

}  // namespace rtprov::cli
