#pragma once
// Shell completion scripts generated from the CLI definition: the CLI11 tree that main.cpp builds
// from the command table (subcommands, their options, sub-subcommands), so completion never
// drifts from `--help`.

#include <string>

#include <CLI/CLI.hpp>

namespace rtprov::cli {

// A bash completion script for the program `root` describes (`complete -F _rtprov rtprov`).
std::string bash_completion(const CLI::App& root);

// A zsh completion script (`#compdef rtprov`): works from a file in $fpath and when sourced.
std::string zsh_completion(const CLI::App& root);

}  // namespace rtprov::cli
