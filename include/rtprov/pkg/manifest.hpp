#pragma once
// The manufacturing package's manifest (manifest.json): schema version, required features, the
// files of the package with their SHA-256, and the fuse plan. Schema 1.0:
//   {"schema_version": "1.0", "requires": [{"feature": "hab-signed", "added_in": "0.1.0"}],
//    "writer": "rtprov 0.1.0", "device": "mimxrt1020", "boot_device": "flexspi-nor",
//    "files": [{"path": "images/flexspi-nor.bin", "sha256": "<64 hex>", "size": 1234,
//               "role": "image", "boot_device": "flexspi-nor", "signed": false}, ...],
//    "fuses": [{"word": "SRK0", "index": 24, "value": "0x01234567", "lock": "after-verify",
//               "lock_field": "SRK_LOCK"}, ...]}
// `writer` is informative only: compatibility is decided by schema_version and requires.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rtprov::pkg {

// The schema this rtprov writes and the newest it reads.
constexpr unsigned kSchemaMajor = 1;
constexpr unsigned kSchemaMinor = 0;

struct SchemaVersion {
    unsigned major = kSchemaMajor;
    unsigned minor = kSchemaMinor;
    friend bool operator==(const SchemaVersion&, const SchemaVersion&) = default;
};

// A feature a package may require of its reader, and the rtprov version that added it.
struct Feature {
    std::string_view name;      // "hab-signed"
    std::string_view added_in;  // "0.1.0"
    std::string_view meaning;   // one line, for README.txt and errors
};

// Every feature this rtprov knows, in the order manifests list them.
std::span<const Feature> known_features();
// The known feature named `name`, or nullptr.
const Feature* find_feature(std::string_view name);

struct RequiredFeature {
    std::string name;
    std::string added_in;  // as the writer's table says; named in the refusal message
    friend bool operator==(const RequiredFeature&, const RequiredFeature&) = default;
};

// What a file in the package is for.
enum class FileRole { Image, SrkHash, Project, App, Fcb, Dcd, SrkTable, Certificate, Readme };
// "image", "srk-hash", "project", "app", "fcb", "dcd", "srk-table", "certificate", "readme".
std::string_view file_role_name(FileRole role);
// The role named `name`, or nullopt.
std::optional<FileRole> parse_file_role(std::string_view name);

struct FileEntry {
    std::string path;    // inside the package, '/'-separated, relative
    std::string sha256;  // 64 lower-case hex digits
    std::uint64_t size = 0;
    FileRole role = FileRole::Project;
    std::optional<std::string> boot_device;  // images: the boot device they are written to
    bool is_signed = false;                  // images: HAB-signed
    friend bool operator==(const FileEntry&, const FileEntry&) = default;
};

// When a fuse group is locked: never by the package, or once every word of it reads back right.
enum class LockPolicy { None, AfterVerify };
std::string_view lock_policy_name(LockPolicy policy);  // "none", "after-verify"
std::optional<LockPolicy> parse_lock_policy(std::string_view name);

struct FuseWordPlan {
    std::string word;         // "SRK0"
    std::uint32_t index = 0;  // OTP word index (blhost efuse-program-once)
    std::uint32_t value = 0;
    LockPolicy lock = LockPolicy::None;
    std::string lock_field;  // "SRK_LOCK"; empty when lock is None
    friend bool operator==(const FuseWordPlan&, const FuseWordPlan&) = default;
};

struct Manifest {
    SchemaVersion schema;
    std::vector<RequiredFeature> required;
    std::string writer;  // "rtprov 0.1.0"
    std::string device;
    std::string boot_device;
    std::vector<FileEntry> files;
    std::vector<FuseWordPlan> fuses;
    friend bool operator==(const Manifest&, const Manifest&) = default;
};

// manifest.json text for `manifest`: fixed key order, 2-space indent, trailing newline.
std::string format_manifest(const Manifest& manifest);

struct ParsedManifest {
    Manifest manifest;
    std::vector<std::string> warnings;  // e.g. a newer minor schema's unknown fields
};

// Parses manifest.json. Refuses (Error(BadInput), "manifest.json: ..." naming the field) malformed
// JSON, missing fields and wrong types; refuses a newer major schema and an unknown required
// feature (naming it and the rtprov version that added it); a newer minor schema imports with a
// warning listing the fields ignored. `reader_version` is this rtprov's version (for messages).
ParsedManifest parse_manifest(std::string_view text, std::string_view reader_version);

}  // namespace rtprov::pkg
