#pragma once
// BEE results as build, sign and info show them: headers, protected ranges, fuses, the
// flashloader option block (text and JSON with plain integers).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "output.hpp"
#include "rtprov/bee/bee.hpp"

namespace rtprov::cli {

// Region headers (KIB, PRDB fields, FACs); keys only when `with_keys`.
nlohmann::json bee_regions_json(const std::vector<bee::Region>& regions, bool with_keys);
// What build/sign did: regions, fuses, flashloader option block, mode.
nlohmann::json bee_result_json(const bee::Result& r, bee::KeySource mode);

void print_bee_regions(Output& out, const std::vector<bee::Region>& regions);
void print_bee_result(Output& out, const bee::Result& r);

// --bee-key values: 32 hex digits or a 16-byte key file. Throws Error(Usage) naming the value.
std::vector<bee::Key> parse_bee_keys(const std::vector<std::string>& values);

}  // namespace rtprov::cli
