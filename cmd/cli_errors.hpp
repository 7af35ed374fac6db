#pragma once
// One rule for what a command line rtprov cannot use looks like: every message is
// "rtprov: error: …" on stderr (CLI11's own ones too), a JSON failure document with --json, and the
// exit code says what kind of failure it was. A command name that is no command is named, with the
// ones it is close to; an input file that does not exist is bad input (exit 2), whether CLI11 finds
// it missing or the command does when it opens it.

#include <CLI/CLI.hpp>

#include "rtprov/util/error.hpp"

namespace rtprov::cli {

// existing_file() with rtprov's exit code: throws Error(BadInput) "PATH: cannot open: No such
// file or directory" (or "…: a folder"), the message the library gives when it opens the file.
const CLI::Validator& existing_file();

// existing_file(), or a PKCS#11 URI ("pkcs11:…"): a key or certificate on a hardware token.
const CLI::Validator& existing_file_or_token();

// Throws Error(Usage) "unknown command 'X'; did you mean 'Y'? …" when the first word of the
// command line that is not an option of `app` names none of its subcommands.
void check_command_name(const CLI::App& app, int argc, const char* const* argv);

// The Error a CLI11 parse error stands for: Usage, its message prefixed with the subcommand it
// was parsing and followed by where its options are listed ("info: image is required; see
// `rtprov info --help`").
Error usage_error(const CLI::App& app, const CLI::ParseError& e);

}  // namespace rtprov::cli
