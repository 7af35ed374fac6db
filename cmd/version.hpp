#pragma once
// `rtprov --version`: the release, the commit and date it was built from, and the versions of
// the libraries it uses (as built against, and as loaded where the library can tell), for bug
// reports and a station's records of what wrote a board.

#include <string>

#include <nlohmann/json.hpp>

namespace rtprov::cli {

// {"version", "commit", "build_date", "libraries": {name: version}}.
nlohmann::json version_info();

// What --version prints: the JSON document with `json`, else lines for humans.
std::string version_output(bool json);

}  // namespace rtprov::cli
