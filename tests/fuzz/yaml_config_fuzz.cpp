// YAML configuration files: SPSDK's HAB configuration (convert::parse_spsdk_config, then its CSF
// sections' meaning, convert::detail::hab_from_sections), the rtprov project file
// (project::parse_project) and the SB command file (project::parse_sb_commands). Parsing must not
// open the files a configuration names.
#include "../../lib/convert/csf_sections.hpp"
#include "fuzz_support.hpp"
#include "rtprov/convert/vendor_config.hpp"
#include "rtprov/project/project_file.hpp"
#include "rtprov/project/sb_commands.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rtprov;
    fuzz::parse_with_one_of(
        data, size,
        [](ByteView in) {
            const auto config =
                convert::parse_spsdk_config(fuzz::text_of(in), "/nonexistent/fuzz.yaml");
            (void)convert::detail::hab_from_sections(config);
        },
        [](ByteView in) {
            (void)project::parse_project(fuzz::text_of(in), "/nonexistent/project.yaml");
        },
        [](ByteView in) {
            (void)project::parse_sb_commands(fuzz::text_of(in), "/nonexistent/sb.yaml", 0);
        });
    return 0;
}
