// rtprov completion: print a bash or zsh completion script generated from the CLI definition
// (the command table as registered on CLI11), so completion always matches `--help`.

#include <fmt/format.h>

#include "command.hpp"
#include "completion_script.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::cli {

namespace {

class CompletionCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        // The whole tree hangs off the parent; it is complete by the time run() is called.
        root_ = app.get_parent();
        app.add_option("shell", shell_, "Shell to complete for: bash or zsh")
            ->required()
            ->check(CLI::IsMember({"bash", "zsh"}));
        app.footer(
            "Examples:\n"
            "  source <(rtprov completion bash)          # this bash session\n"
            "  rtprov completion bash > ~/.local/share/bash-completion/completions/rtprov\n"
            "  rtprov completion zsh > ~/.zfunc/_rtprov  # with fpath+=(~/.zfunc) before compinit\n"
            "Subcommands, their options and option values come from the same definitions as "
            "--help.");
    }

    int run(Output& out) override {
        if (root_ == nullptr)
            throw Error(ErrorCode::Internal, "completion: no command tree");
        const std::string script =
            shell_ == "bash" ? bash_completion(*root_) : zsh_completion(*root_);
        if (out.json()) {
            out.result({{"shell", shell_}, {"script", script}});
        } else {
            fmt::print("{}", script);
        }
        return 0;
    }

  private:
    const CLI::App* root_ = nullptr;
    std::string shell_;
};

}  // namespace

std::unique_ptr<Command> make_completion_command() {
    return std::make_unique<CompletionCommand>();
}

}  // namespace rtprov::cli
