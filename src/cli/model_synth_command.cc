// `tokenfab model synth`: random weights with a real model's shapes.
#include <cstdio>

#include "cli/command_options.h"
#include "cli/model_loader.h"
#include "cli/progress_bar.h"
#include "model/synth.h"

namespace fab::cli {

std::string SynthShapeNames() {
  std::string names;
  for (const model::SynthShape& s : model::SynthShapes()) names += std::string(names.empty() ? "" : ", ") + s.name;
  return names;
}

int RunModelSynth(const SynthCommandOptions& options) {
  const model::SynthShape* shape = model::FindSynthShape(options.shape);
  if (shape == nullptr) {
    return ReportError(InvalidArgumentError("unknown shape '" + options.shape + "' (known: " + SynthShapeNames() + ")"));
  }
  model::SynthOptions synth;
  const std::optional<model::QuantMix> mix = model::ParseQuantMix(options.quant);
  std::optional<DType> quant = mix ? std::optional<DType>(model::QuantMixBaseType(*mix)) : ParseDTypeName(options.quant);
  if (!quant || !GetDTypeInfo(*quant).computable) {
    return ReportError(InvalidArgumentError("unknown or unsupported --quant '" + options.quant + "'"));
  }
  synth.shape = shape;
  synth.quant = *quant;
  synth.mix = mix.value_or(model::QuantMix::kPure);
  synth.vocab_from = options.vocab_from;
  synth.out_path = options.out_path;
  synth.seed = options.seed;
  ThreadPool pool(options.n_threads > 0 ? options.n_threads : DefaultThreadCount());
  {
    ProgressBar bar("writing", true);
    synth.on_progress = [&bar](double fraction) { bar.Update(fraction); };
    if (Status s = model::SynthesizeModel(synth, pool); !s.ok()) return ReportError(s);
  }
  std::fprintf(stderr, "wrote %s: %s shape, %s weights (random: for benchmarks, not for reading)\n",
               options.out_path.c_str(), shape->name, mix ? model::QuantMixName(*mix) : DTypeName(*quant));
  return 0;
}

}  // namespace fab::cli
