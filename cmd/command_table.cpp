#include "command.hpp"

namespace rtprov::cli {

std::unique_ptr<Command> make_init_command();  // cmd/init.cpp

std::span<const CommandRow> command_table() {
    static const CommandRow rows[] = {
        {"init", "Start a project: a commented project file for a part, boot device and features",
         Needs::Files, make_init_command},
        {"build", "Build a bootable image (FCB, IVT, boot data, DCD, app) from an ELF/HEX/SREC/BIN",
         Needs::Files, make_build_command},
        {"sign", "HAB4-sign (and optionally encrypt) an unsigned bootable image", Needs::Files,
         make_sign_command},
        {"keys", "Generate a HAB PKI (SRK/CSF/IMG keys, certificates, SRK table, fuse hash)",
         Needs::Files, make_keys_command},
        {"verify", "Check a signed image offline as HAB does: SRK hash, certificates, signatures",
         Needs::Files, make_verify_command},
        {"convert", "Convert an NXP HAB configuration (BD file or SPSDK YAML) to a project file",
         Needs::Files, make_convert_command},
        {"info", "Show a bootable image (FCB, BEE, IVT, boot data, DCD, app, CSF) or an SB file",
         Needs::Files, make_info_command},
        {"sb", "Build an SB 1.x file (flashloader commands for receive-sb-file) or list one",
         Needs::Files, make_sb_command},
        {"devices", "List the supported RT10xx parts: memory map, USB IDs, boot layouts, fuses",
         Needs::Nothing, make_devices_command},
        {"fcb", "List FlexSPI NOR config block presets or write one to a file", Needs::Files,
         make_fcb_command},
        {"export-pkg",
         "Build a project and write its manufacturing package (zip: images, fuses, manifest)",
         Needs::Files, make_export_pkg_command},
        {"import-pkg", "Verify a manufacturing package, show what it holds, optionally extract it",
         Needs::Files, make_import_pkg_command},
        {"pkg", "Compare two manufacturing packages (diff) or migrate one to the current schema",
         Needs::Files, make_pkg_command},
        {"write", "Write a package to boards in parallel: flashloader, flash, verify, fuses, reset",
         Needs::Transport, make_write_command},
        {"records", "The station's production record: list, show, export (CSV/JSON) and stats",
         Needs::Files, make_records_command},
        {"station", "The station's key pair for sealed secrets: make it (keygen) or show its id",
         Needs::Files, make_station_command},
        {"sdp",
         "Talk to the boot ROM (SDP, like sdphost): load and run the flashloader or an image",
         Needs::Transport, make_sdp_command},
        {"mboot", "Talk to the MCUBoot flashloader with blhost's commands (memory, flash, fuses)",
         Needs::Transport, make_mboot_command},
        {"sim", "Simulate an RT10xx (boot ROM SDP, then MCUBoot flashloader) on a pty or socket",
         Needs::Nothing, make_sim_command},
        {"completion", "Print a bash or zsh completion script generated from these commands",
         Needs::Nothing, make_completion_command},
    };
    return rows;
}

}  // namespace rtprov::cli
