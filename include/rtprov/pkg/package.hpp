#pragma once
// The manufacturing package (issue 4): `export_package` builds everything from the project file
// on disk and zips it deterministically; `verify_package` checks a zip completely before anything
// in it is used; `extract_package` writes a verified package into a new folder atomically.
//
// Layout: manifest.json (first), README.txt, images/<boot-device>.bin, fuses/srk_hash.bin (signed
// only), project/<project file> and its inputs under project/ at their paths relative to it
// (inputs outside the project folder under project/external/). Private keys, key passwords and
// DEKs are never packaged: every packaged file is searched for private-key material
// (hab/key_scan.hpp) and the export refused when one holds any. A HAB-encrypted image's
// plaintext application is left out unless asked for (`include_sources`).

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtprov/pkg/manifest.hpp"
#include "rtprov/pkg/seal.hpp"
#include "rtprov/pkg/zip_archive.hpp"
#include "rtprov/util/bytes.hpp"

namespace rtprov::pkg {

struct ExportOptions {
    std::filesystem::path project;                  // the project file (YAML)
    std::optional<std::string> env_password;        // $RTPROV_KEY_PASSWORD, for signing
    std::optional<std::int64_t> source_date_epoch;  // $SOURCE_DATE_EPOCH: the entries' time
    std::string rtprov_version = RTPROV_VERSION;    // written as the informative `writer`
    std::optional<std::filesystem::path> sign_key;  // signs manifest.json (manifest.sig)
    // A build output to package instead of trusting it blindly: must equal, byte for byte, what
    // the project builds from the files on disk now (else Error(BadInput): stale).
    std::optional<std::filesystem::path> built_image;
    std::optional<std::string> sign_key_password;
    // With hab.encrypt: package the plaintext application too (left out by default: the package
    // would otherwise carry the firmware the encryption protects). Warned about when used.
    bool include_sources = false;
    // A package's secrets (the DEK of hab.encrypt, BEE/OTFAD user keys) are sealed to these
    // stations' public keys (pkg/seal.hpp), so that only those stations can write it...
    std::vector<std::filesystem::path> seal_to;
    // ... or, only when asked, kept in the clear (the manifest says so and write warns).
    bool insecure_plain_secrets = false;
};

struct ExportedPackage {
    Bytes zip;
    Manifest manifest;
    std::vector<std::string> warnings;  // the build's
    // The secrets the manifest's plan names (the DEK "hab-dek", BEE user key words
    // "fuse:SW_GP2_n"), as put into the package's secrets file (sealed unless asked otherwise).
    // In memory only: never print them.
    std::vector<Secret> secrets;
};

// Builds the project's image (signed with a `hab:` section) from the files on disk and returns
// the package. A project with secrets needs seal_to or insecure_plain_secrets (Error(Usage)
// naming the secrets otherwise). Throws the build's errors; Error(BadInput) "FILE changed while the package was
// being built" when an input changes under it (the package never holds a stale image);
// Error(BadInput) "FILE: WHAT at byte N: ..." when a file to package holds a private key.
ExportedPackage export_package(const ExportOptions& options);

// A verified package: every file of the manifest, checked, by path (manifest.json excluded).
struct Package {
    Manifest manifest;
    std::string manifest_text;
    std::map<std::string, Bytes> files;
    std::vector<std::string> warnings;  // e.g. a newer minor schema
    // Signed packages: the signer's key fingerprint, and whether a trust key confirmed it.
    std::optional<std::string> signer;
    bool signature_trusted = false;
};

// Keys a package must be signed with (DER public keys; see signature.hpp). Empty: signatures
// are not required; a present one is reported but not trusted.
struct TrustOptions {
    std::vector<Bytes> trusted_keys;
};

// Verifies a package zip: structure and limits (read_zip); the signature (with trust keys: an
// unsigned package, one signed by another key or a bad signature are Error(Verification),
// checked before the manifest is read); the manifest (parse_manifest); then every file's size
// and SHA-256 (Error(Verification) naming the file) and that no file is missing from or extra
// to the manifest (Error(BadInput)).
Package verify_package(ByteView zip, const ZipLimits& limits, std::string_view reader_version,
                       const TrustOptions& trust = {});

// Writes a verified package into `dir`, which must not exist yet (Error(Usage) otherwise): into
// a sibling temporary folder first, renamed to `dir` once complete; nothing is left on failure.
void extract_package(const Package& package, const std::filesystem::path& dir);

// Completes a manifest that parse_manifest migrated from schema 1.0, using the package's
// (verified) files: where each image goes and the write plan, as export_package makes them.
// Does nothing for a manifest in the current schema.
void complete_migration(Manifest& manifest, const std::map<std::string, Bytes>& files);

// The files[] entry for `path` (verified packages list every referenced path; Error(Internal)
// otherwise).
const FileEntry& file_entry(const Manifest& manifest, std::string_view path);

struct MigratedPackage {
    Bytes zip;
    SchemaVersion from;
    SchemaVersion to;  // schema_for the migrated manifest
    std::vector<std::string> warnings;
};

// `rtprov pkg migrate`: verifies a package (any schema this rtprov reads) and writes it in the
// current schema: the same files, a new manifest.json and README.txt, deterministic like an
// export (`source_date_epoch` for the entry times). A package signature does not survive (the
// manifest changed): the result is unsigned and a warning says so.
MigratedPackage migrate_package(ByteView zip, const ZipLimits& limits,
                                std::optional<std::int64_t> source_date_epoch,
                                std::string_view reader_version);

}  // namespace rtprov::pkg
