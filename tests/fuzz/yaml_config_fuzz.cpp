// YAML configuration files: SPSDK's HAB configuration (convert::parse_spsdk_config), the rtprov
// project file (project::parse_project) and the SB command file (project::parse_sb_commands).
// Parsing must not open the files a configuration names.
#include "fuzz_support.hpp"
#include "rtprov/convert/vendor_config.hpp"
#include "rtprov/project/project_file.hpp"
#include "rtprov/project/sb_commands.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rtprov;
    if (size == 0)
        return 0;
    const std::uint8_t which = data[0] % 3;
    const std::string_view text = fuzz::text_of(data + 1, size - 1);
    fuzz::expect_parse_or_reject([&] {
        switch (which) {
            case 0:
                (void)convert::parse_spsdk_config(text, "/nonexistent/fuzz.yaml");
                break;
            case 1:
                (void)project::parse_project(text, "/nonexistent/project.yaml");
                break;
            default:
                (void)project::parse_sb_commands(text, "/nonexistent/sb.yaml", 0);
                break;
        }
    });
    return 0;
}
