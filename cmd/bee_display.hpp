#pragma once
// BEE results as build, sign and info show them: headers, protected ranges, fuses, the
// flashloader option block (text and JSON with plain integers).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "output.hpp"
#include "rtprov/bee/bee.hpp"

namespace rtprov::cli {

// Key material (KIB key and IV, PRDB nonce, the SW_GP2 user key words) is shown only with
// `show_keys` (--show-keys): otherwise it never reaches stdout, i.e. CI logs. The text says
// kKeysHidden where it would be, the JSON has "keys_hidden": true instead of the values.
inline constexpr const char* kKeysHidden = "keys hidden: --show-keys shows them";
// The help of a command's --show-keys flag.
inline constexpr const char* kShowKeysHelp =
    "Print key material (BEE KIB key and IV, nonces, SW_GP2 user key words): hidden without it, "
    "so that keys do not end up in logs";

// A fuse setting that holds key bits (an SW_GP2 user key word).
bool is_key_fuse(const bee::FuseSetting& f);

// Region headers (KIB, PRDB fields, FACs); the PRDB range and (with `show_keys`) the keys only
// when `with_keys` (the headers are known to the host).
nlohmann::json bee_regions_json(const std::vector<bee::Region>& regions, bool with_keys,
                                bool show_keys = false);
// What build/sign did: regions, fuses, flashloader option block, mode.
nlohmann::json bee_result_json(const bee::Result& r, bee::KeySource mode, bool show_keys = false);

void print_bee_regions(Output& out, const std::vector<bee::Region>& regions,
                       bool show_keys = false);
void print_bee_result(Output& out, const bee::Result& r, bool show_keys = false);

// --bee-key values: 32 hex digits or a 16-byte key file. Throws Error(Usage) naming the value.
std::vector<bee::Key> parse_bee_keys(const std::vector<std::string>& values);

}  // namespace rtprov::cli
