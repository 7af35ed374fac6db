#include "command.hpp"

namespace rtprov::cli {

std::span<const CommandRow> command_table() {
    static const CommandRow rows[] = {
        {"build", "Build a bootable image (FCB, IVT, boot data, DCD, app) from an ELF/HEX/SREC/BIN",
         Needs::Files, make_build_command},
        {"info",
         "Show the boot structures of a bootable image (FCB, IVT, boot data, DCD, app, CSF)",
         Needs::Files, make_info_command},
        {"devices", "List the supported RT10xx parts: memory map, USB IDs, boot layouts, fuses",
         Needs::Nothing, make_devices_command},
        {"fcb", "List FlexSPI NOR config block presets or write one to a file", Needs::Files,
         make_fcb_command},
    };
    return rows;
}

}  // namespace rtprov::cli
