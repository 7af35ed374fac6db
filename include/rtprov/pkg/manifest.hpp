#pragma once
// The manufacturing package's manifest (manifest.json): schema version, required features, the
// files of the package with their SHA-256, the bootable images, the flashloader, the fuse plan
// and the write plan. Schema 2.0 (docs/package-format.md has every field):
//   {"schema_version": "2.0", "requires": [{"feature": "hab-signed", "added_in": "0.1.0"}],
//    "writer": "rtprov 0.2.0", "device": "mimxrt1020",
//    "files": [{"path": "images/flexspi-nor.bin", "sha256": "<64 hex>", "size": 1234,
//               "role": "image"}, ...],
//    "images": [{"boot_device": "flexspi-nor", "file": "images/flexspi-nor.bin", "signed": true,
//                "memory_id": 9, "address": "0x60000000"}],
//    "flashloaders": [{"file": "flashloader/flashloader_signed.bin", "signed": true,
//                      "load_address": "0x20208000", "ivt_address": "0x20208400"}],
//    "fuses": [{"word": "SRK0", "index": 24, "value": "0x01234567", "lock": "after-verify",
//               "lock_field": "SRK_LOCK"}, ...],
//    "write_plan": [{"op": "load-flashloader"},
//                   {"op": "configure-memory", "memory_id": 9, "fcb_file": "images/...",
//                    "fcb_offset": 0},
//                   {"op": "erase", "memory_id": 9, "address": "0x60000000", "length": 20480},
//                   {"op": "write", "memory_id": 9, "address": "0x60000000", "file": "..."},
//                   {"op": "verify", ...same as write...},
//                   {"op": "program-fuses", "words": ["SRK0", ..., "SRK7"]},
//                   {"op": "lock-fuses", "field": "SRK_LOCK"}, {"op": "reset"}]}
// `writer` is informative only: compatibility is decided by schema_version and requires.
// Schema 1.0 (rtprov 0.1.0: a top-level boot_device, image facts inside files[], no images,
// flashloaders or write_plan) is migrated in memory by parse_manifest (migrate_manifest_1_0).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rtprov::pkg {

// The schema this rtprov writes and the newest it reads.
constexpr unsigned kSchemaMajor = 2;
constexpr unsigned kSchemaMinor = 0;
// The oldest major schema this rtprov still reads (and migrates).
constexpr unsigned kOldestSchemaMajor = 1;

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
enum class FileRole {
    Image,
    SrkHash,
    Project,
    App,
    Fcb,
    Dcd,
    SrkTable,
    Certificate,
    Readme,
    Flashloader,
};
// "image", "srk-hash", "project", "app", "fcb", "dcd", "srk-table", "certificate", "readme",
// "flashloader".
std::string_view file_role_name(FileRole role);
// The role named `name`, or nullopt.
std::optional<FileRole> parse_file_role(std::string_view name);

struct FileEntry {
    std::string path;    // inside the package, '/'-separated, relative
    std::string sha256;  // 64 lower-case hex digits
    std::uint64_t size = 0;
    FileRole role = FileRole::Project;
    friend bool operator==(const FileEntry&, const FileEntry&) = default;
};

// A bootable image and where it goes.
struct ImageEntry {
    std::string boot_device;  // "flexspi-nor"
    std::string file;         // a files[] path
    bool is_signed = false;   // HAB-signed
    // MCUBoot memory id of the boot device (9 FlexSPI NOR, 8 SEMC NOR, 0x100 SEMC NAND, 0x101
    // FlexSPI NAND, 0x110 SPI NOR, 0x120 SD, 0x121 MMC; 0 for RAM: nothing to write).
    std::uint32_t memory_id = 0;
    // Where file byte 0 goes: the memory-mapped address for NOR, the byte offset for block devices.
    std::uint32_t address = 0;
    friend bool operator==(const ImageEntry&, const ImageEntry&) = default;
};

// A flashloader image the boot ROM loads over SDP (WRITE_FILE at load_address, JUMP_ADDRESS to
// ivt_address). A package may hold a plain and a signed one; closed parts need the signed one.
struct FlashloaderEntry {
    std::string file;  // a files[] path
    bool is_signed = false;
    std::uint32_t load_address = 0;
    std::uint32_t ivt_address = 0;
    friend bool operator==(const FlashloaderEntry&, const FlashloaderEntry&) = default;
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

// One step of the write plan, in the order `rtprov write` runs them.
enum class StepOp {
    LoadFlashloader,  // SDP: load the flashloader (signed one on a closed part) and jump to it
    ConfigureMemory,  // MCUBoot configure-memory: FCB from fcb_file at fcb_offset, or option_words
    Erase,            // flash-erase-region [address, address + length)
    Write,            // write-memory file at address
    Verify,           // read-memory back and compare with file
    ProgramFuses,     // efuse-program-once of `words` (fuses[] entries), read back
    LockFuses,        // program the lock field `field` once its words read back right
    Reset,            // reset: the part boots what was written
};
// "load-flashloader", "configure-memory", "erase", "write", "verify", "program-fuses",
// "lock-fuses", "reset".
std::string_view step_op_name(StepOp op);
std::optional<StepOp> parse_step_op(std::string_view name);

struct WriteStep {
    StepOp op = StepOp::Reset;
    std::uint32_t memory_id = 0;              // configure-memory, erase, write, verify
    std::uint32_t address = 0;                // erase, write, verify
    std::uint64_t length = 0;                 // erase
    std::string file;                         // write, verify: a files[] path
    std::string fcb_file;                     // configure-memory: file holding the FCB, or ""
    std::uint32_t fcb_offset = 0;             // ... and its offset in that file
    std::vector<std::uint32_t> option_words;  // configure-memory without an FCB
    std::vector<std::string> words;           // program-fuses: fuses[].word names
    std::string field;                        // lock-fuses: fuse field ("SRK_LOCK")
    friend bool operator==(const WriteStep&, const WriteStep&) = default;
};

struct Manifest {
    SchemaVersion schema;
    std::vector<RequiredFeature> required;
    std::string writer;  // "rtprov 0.2.0"
    std::string device;
    std::vector<FileEntry> files;
    std::vector<ImageEntry> images;
    std::vector<FlashloaderEntry> flashloaders;
    std::vector<FuseWordPlan> fuses;
    std::vector<WriteStep> write_plan;
    // Schema the text was written in when it was migrated on reading (nullopt: current).
    std::optional<SchemaVersion> migrated_from;
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
// An older major schema (1.0) is migrated: the result is in the current schema with
// `migrated_from` set; its images' memory_id/address and its write plan need the image bytes and
// are filled in by pkg::complete_migration (package.hpp), which verify_package calls.
ParsedManifest parse_manifest(std::string_view text, std::string_view reader_version);

}  // namespace rtprov::pkg
