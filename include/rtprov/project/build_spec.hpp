#pragma once
// What to build, as the user states it: on the command line (`rtprov build --device ...`) or in a
// project file (`rtprov build -c project.yaml`). Both fill a BuildSpec; resolve() turns it into
// the library's BuildOptions by loading the files it names.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rtprov/boot/image.hpp"
#include "rtprov/project/bee_spec.hpp"
#include "rtprov/project/hab_spec.hpp"
#include "rtprov/project/otfad_spec.hpp"

namespace rtprov::project {

struct FcbSpec {
    std::optional<std::string> preset;                          // a name from `rtprov fcb --list`
    std::optional<std::filesystem::path> file;                  // a 512-byte binary FCB
    std::vector<std::pair<std::string, std::uint64_t>> fields;  // overrides, applied in order
};

// The flashloader a package carries for `rtprov write`: an image the boot ROM loads over SDP
// (IVT + boot data), e.g. the SDK's ivt_flashloader.bin.
struct FlashloaderSpec {
    std::filesystem::path file;
    std::optional<bool> sign;  // also a signed copy; default: when the project has a hab: section
    std::optional<std::uint32_t> image_address;  // signing: move the load address (NXP's tools)
};

// A value each board gets (the project's `per_board:` list; a package per-board-data step):
// from a station counter, a column of the station's CSV file, or the board's UID; written to
// the boot device at `address` or burned into the fuse words `fuses`.
struct BoardDataSpec {
    std::string name;
    std::string source;  // "counter", "csv", "uid"
    std::uint64_t start = 0;
    std::string column;
    std::optional<std::string> format;  // default: le32 (counter), hex (csv, uid)
    std::optional<std::uint32_t> size;  // default: the format's size (le32 4, le64 8, a UID 8)
    std::optional<std::uint32_t> address;
    std::vector<std::string> fuses;
    std::string where;  // "project.yaml:31:5", for errors found later
};

// A free layout (`layout:`): the IVT offset and initial load size of the image, instead of the
// boot device's (nxpimage's ivtOffset/initialLoadSize; e.g. a signed flashloader image).
struct LayoutSpec {
    std::uint32_t ivt_offset = 0;
    std::uint32_t initial_load_size = 0;
    std::string where;  // "project.yaml:5:3", for errors found later
};

struct BuildSpec {
    std::string device;  // "mimxrt1020"
    std::string boot_device = "flexspi-nor";
    std::filesystem::path app;                 // ELF, HEX, SREC or BIN
    std::string app_format = "auto";           // auto, elf, hex, srec, bin
    std::optional<std::uint32_t> app_address;  // required for a raw binary
    std::optional<std::uint32_t> entry;        // default: the app's reset vector
    std::optional<FcbSpec> fcb;
    // FlexSPI NOR configuration option word for `rtprov write` (boot/flash_option.hpp); default:
    // the FCB preset's, else boot::kDefaultFlexspiNorOption. flash_option_where:
    // "project.yaml:7:15".
    std::optional<std::uint32_t> flash_option;
    std::string flash_option_where;
    std::optional<std::filesystem::path> dcd;  // binary DCD or DCD text
    bool padding = true;
    std::optional<LayoutSpec> layout;
    std::optional<std::filesystem::path> output;
    std::optional<HabSpec> hab;  // sign (and encrypt) after building
    std::optional<BeeSpec> bee;  // BEE-encrypt (after signing)
    std::optional<OtfadSpec> otfad;  // OTFAD-encrypt (RT1010, after signing)
    std::optional<FlashloaderSpec> flashloader;
    std::vector<BoardDataSpec> per_board;  // packaged as per-board-data steps
    std::optional<std::uint64_t> quota;    // production.quota: boards per station
};

// Interprets `--fcb VALUE`: an existing file path, otherwise a preset name.
FcbSpec fcb_spec_from_argument(const std::string& value);

// Loads everything the spec names and returns build options. Errors name the file at fault.
boot::BuildOptions resolve(const BuildSpec& spec);

// Serialized FCB for a spec (preset or file, then field overrides).
Bytes resolve_fcb(const FcbSpec& spec);

// Serialized DCD from a file: binary when it starts with the DCD tag 0xD2, else DCD text.
Bytes load_dcd_file(const std::filesystem::path& path);

}  // namespace rtprov::project
