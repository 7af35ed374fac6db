#pragma once
// SB 1.x files as `rtprov info` and `rtprov sb` show them: header, sections, every command
// (text, or JSON with plain integers).

#include <string>

#include <nlohmann/json.hpp>

#include "output.hpp"
#include "rtprov/sb/sb.hpp"

namespace rtprov::cli {

// True when the file carries the SB 1.x signature ("STMP" at 0x14).
bool looks_like_sb(ByteView file);

nlohmann::json sb_json(const sb::SbFile& f, std::size_t size);
// One line per header field group, section and command.
void print_sb(Output& out, const sb::SbFile& f, std::size_t size, const std::string& name);

}  // namespace rtprov::cli
