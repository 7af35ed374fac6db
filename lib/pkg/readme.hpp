#pragma once
// README.txt of a package: what the factory operator and a reviewer read first. It says what the
// manifest means (the write plan: every step, memory range and fuse word, plan_view.hpp), and
// reading a package checks that it still does (check_readme).

#include <optional>
#include <string>
#include <vector>

#include "rtprov/pkg/manifest.hpp"
#include "rtprov/pkg/package.hpp"

namespace rtprov::pkg {

// The package path of README.txt.
inline constexpr std::string_view kReadmeName = "README.txt";

// Plain text for `manifest`: device, schema, required features, the write plan described by
// describe_plan/plan_lines, the production quota, how to check the package. Deterministic (no
// dates, no host names) and independent of files[] order and of README.txt's own entry.
std::string format_readme(const Manifest& manifest);

// What older rtprov releases wrote as README.txt for `manifest`, for packages they made:
// rtprov 0.1.0 (schema 1.0, migrated on reading) and rtprov 0.2.0 (schema 2.0). nullopt when
// that release could not have written this manifest (another schema, per-board data, quota).
std::optional<std::string> format_readme_0_1(const Manifest& manifest);
std::optional<std::string> format_readme_0_2(const Manifest& manifest);

// Checks the packaged README.txt against the manifest: it must be what format_readme makes, or,
// for a package an older release could have written, what that release made (then a warning
// says the README is in the old format and `rtprov pkg migrate` rewrites it; added to
// package.warnings). A schema minor newer than this rtprov knows is not checked (a warning says
// so). Throws Error(BadInput) when README.txt is missing or not listed with role readme (or
// another file claims that role), Error(Verification) naming the first line that differs when
// it says something the manifest does not mean.
void check_readme(Package& package);

// The warning check_readme gives for a README.txt in the format of rtprov `release`.
std::string legacy_readme_warning(std::string_view release);

}  // namespace rtprov::pkg
