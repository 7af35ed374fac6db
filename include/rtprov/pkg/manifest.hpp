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
// Schema 2.1 adds per-board data (write_plan steps {"op": "per-board-data", "name": "serial",
// "source": "counter", "start": 1000, "format": "le32", "size": 4, "memory_id": 9,
// "address": "0x60100000"} or with "fuses": ["GP1"]) and "production": {"quota": 500}; a
// manifest using neither is written as 2.0, so older readers still take it.
// Schema 2.2 (rtprov 0.3.0, encrypted products) adds: a "secrets" object naming the package's
// secrets file ({"file": "secrets/sealed.json", "sealed": true, "names": ["hab-dek"]}, the file
// listed in files[] with role "secrets"; pkg/seal.hpp); key-blob steps ({"op": "key-blob",
// "memory_id": 9, "address": "0x60006000", "secret": "hab-dek"}: the flashloader wraps the DEK
// into this part's blob, written and read back there); and fuse words that own only some bits
// ("mask": "0x00003010") or take their value from a secret ("secret": "fuse:SW_GP2_0", "value"
// then "0x00000000").
// Schema 1.0 (rtprov 0.1.0: a top-level boot_device, image facts inside files[], no images,
// flashloaders or write_plan) is migrated in memory by parse_manifest (migrate_manifest_1_0).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rtprov::pkg {

// The newest schema this rtprov reads and writes (schema_for: the one a manifest needs).
constexpr unsigned kSchemaMajor = 2;
constexpr unsigned kSchemaMinor = 2;
// The oldest major schema this rtprov still reads (and migrates).
constexpr unsigned kOldestSchemaMajor = 1;

// Defaults to the first minor of the current major: what a manifest without newer fields is.
struct SchemaVersion {
    unsigned major = kSchemaMajor;
    unsigned minor = 0;
    friend bool operator==(const SchemaVersion&, const SchemaVersion&) = default;
    friend auto operator<=>(const SchemaVersion&, const SchemaVersion&) = default;
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
    Secrets,  // (2.2) the sealed (or, on request, plain) secrets file: pkg/seal.hpp
};
// "image", "srk-hash", "project", "app", "fcb", "dcd", "srk-table", "certificate", "readme",
// "flashloader", "secrets".
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

inline constexpr std::uint32_t kWholeWord = 0xFFFFFFFF;

struct FuseWordPlan {
    std::string word;         // "SRK0"
    std::uint32_t index = 0;  // OTP word index (blhost efuse-program-once)
    std::uint32_t value = 0;  // inside `mask`; 0 when `secret` gives it
    LockPolicy lock = LockPolicy::None;
    std::string lock_field;  // "SRK_LOCK"; empty when lock is None
    // (2.2) The bits of the word this plan owns (BEE_KEY0_SEL and BT_FUSE_SEL of BOOT_CFG1):
    // the others are neither burned nor compared. Written only when not the whole word.
    std::uint32_t mask = kWholeWord;
    // (2.2) The value is secret (a BEE/OTFAD user key word): the 4 bytes of this secret of the
    // package's secrets file, little-endian. Empty: `value` is the value.
    std::string secret;
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
    PerBoardData,     // (2.1) a value of this board (`data`) to flash or into fuse words
    KeyBlob,  // (2.2) generate-key-blob of the DEK `secret` on the part, written at address
};
// "load-flashloader", "configure-memory", "erase", "write", "verify", "program-fuses",
// "lock-fuses", "reset", "per-board-data", "key-blob".
std::string_view step_op_name(StepOp op);
std::optional<StepOp> parse_step_op(std::string_view name);

// Where a per-board value comes from: a station counter, a row of the station's CSV file (both
// reserved for the board by its UID, never given to another board), or the board's own UID.
enum class BoardDataSource { Counter, Csv, Uid };
std::string_view board_data_source_name(BoardDataSource source);  // "counter", "csv", "uid"
std::optional<BoardDataSource> parse_board_data_source(std::string_view name);

// How a per-board value becomes bytes: a number little-endian (le32, le64), hex digits as bytes
// (hex: "00:1b:c5:0a:00:01", a UID as 8 bytes most significant first), or ASCII text (text:
// decimal for a counter, zero-padded to `size`).
enum class BoardDataFormat { Le32, Le64, Hex, Text };
std::string_view board_data_format_name(BoardDataFormat format);  // "le32", "le64", "hex", "text"
std::optional<BoardDataFormat> parse_board_data_format(std::string_view name);

// A per-board-data step: what the value is and where it goes (flash at memory_id/address, or
// the fuse words `fuses`, its bytes little-endian across them).
struct BoardData {
    std::string name;  // "serial": [a-z0-9_-]+, unique in the plan; the key in records
    BoardDataSource source = BoardDataSource::Counter;
    std::uint64_t start = 0;  // counter: the first value
    std::string column;       // csv: the column of the station's CSV file
    BoardDataFormat format = BoardDataFormat::Le32;
    std::uint32_t size = 0;  // bytes written
    std::uint32_t memory_id = 0;
    std::uint32_t address = 0;
    std::vector<std::string> fuses;  // fuse word names, or empty for a flash target
    friend bool operator==(const BoardData&, const BoardData&) = default;
};

// The largest per-board value (a key of 256 bits is 32 bytes; text is longer).
inline constexpr std::uint32_t kMaxBoardDataSize = 256;

// Why `data` is not a valid per-board-data step (names the step), or nullopt: name of
// [a-z0-9_-]{1,32}, a csv column, a format that fits the source and the size, size 1..256 and
// fitting its fuse words.
std::optional<std::string> board_data_problem(const BoardData& data);

// One line for a per-board-data step: "serial: counter from 1000, le32 (4 bytes) to memory 9
// at 0x60100000" or "mac: csv column mac, hex (6 bytes) into fuses MAC0, MAC1".
std::string describe_board_data(const BoardData& data);

// Production limits the station enforces (2.1).
struct Production {
    // Boards a station may write successfully with this package (counted in its records
    // database: a station-side limit, not a cryptographic one).
    std::optional<std::uint64_t> quota;
    friend bool operator==(const Production&, const Production&) = default;
};

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
    BoardData data;                           // per-board-data
    std::string secret;                       // key-blob: the DEK's name in the secrets file
    friend bool operator==(const WriteStep&, const WriteStep&) = default;
};

// (2.2) The package's secrets (DEKs, BEE/OTFAD user keys): one file, sealed to station keys
// (pkg/seal.hpp) unless the export was told --insecure-plain-secrets.
struct SecretsRef {
    std::string file;                // a files[] path with role "secrets"
    bool sealed = true;              // false: the file holds them in the clear
    std::vector<std::string> names;  // what it holds ("hab-dek", "fuse:SW_GP2_0", ...)
    friend bool operator==(const SecretsRef&, const SecretsRef&) = default;
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
    Production production;
    std::optional<SecretsRef> secrets;  // (2.2)
    // Schema the text was written in when it was migrated on reading (nullopt: current).
    std::optional<SchemaVersion> migrated_from;
    friend bool operator==(const Manifest&, const Manifest&) = default;
};

// The schema `manifest` needs: 2.2 with secrets, key-blob steps or partial/secret fuse words,
// 2.1 with per-board data or production limits, else 2.0.
SchemaVersion schema_for(const Manifest& manifest);

// The per-board-data steps of a plan, in order.
std::vector<const BoardData*> board_data_steps(const Manifest& manifest);

// manifest.json text for `manifest`: fixed key order, 2-space indent, trailing newline. The
// schema written is manifest.schema, raised to schema_for(manifest) when that is newer.
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
