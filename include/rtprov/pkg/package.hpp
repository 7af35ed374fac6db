#pragma once
// The manufacturing package (issue 4): `export_package` builds everything from the project file
// on disk and zips it deterministically; `verify_package` checks a zip completely before anything
// in it is used; `extract_package` writes a verified package into a new folder atomically.
//
// Layout: manifest.json (first), README.txt, images/<boot-device>.bin, fuses/srk_hash.bin (signed
// only), project/<project file> and its inputs under project/ at their paths relative to it
// (inputs outside the project folder under project/external/). Private keys, key passwords and
// DEKs are never packaged.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtprov/pkg/manifest.hpp"
#include "rtprov/pkg/zip_archive.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::pkg {

struct ExportOptions {
    std::filesystem::path project;                  // the project file (YAML)
    std::optional<std::string> env_password;        // $RTPROV_KEY_PASSWORD, for signing
    std::optional<std::int64_t> source_date_epoch;  // $SOURCE_DATE_EPOCH: the entries' time
    std::string rtprov_version = RTPROV_VERSION;    // written as the informative `writer`
};

struct ExportedPackage {
    Bytes zip;
    Manifest manifest;
    std::vector<std::string> warnings;  // the build's
};

// Builds the project's image (signed with a `hab:` section) from the files on disk and returns
// the package. Throws the build's errors; Error(BadInput) "FILE changed while the package was
// being built" when an input changes under it (the package never holds a stale image).
ExportedPackage export_package(const ExportOptions& options);

// A verified package: every file of the manifest, checked, by path (manifest.json excluded).
struct Package {
    Manifest manifest;
    std::string manifest_text;
    std::map<std::string, Bytes> files;
    std::vector<std::string> warnings;  // e.g. a newer minor schema
};

// Verifies a package zip: structure and limits (read_zip), manifest (parse_manifest), then every
// file's size and SHA-256 (Error(Verification) naming the file) and that no file is missing
// from or extra to the manifest (Error(BadInput)).
Package verify_package(ByteView zip, const ZipLimits& limits, std::string_view reader_version);

// Writes a verified package into `dir`, which must not exist yet (Error(Usage) otherwise): into
// a sibling temporary folder first, renamed to `dir` once complete; nothing is left on failure.
void extract_package(const Package& package, const std::filesystem::path& dir);

// The images of a package (role image), in manifest order.
std::vector<const FileEntry*> package_images(const Manifest& manifest);

}  // namespace rtprov::pkg
