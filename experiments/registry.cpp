#include "experiments/experiment.hpp"

namespace nrc {

// One factory per figure, each in its own file (experiments/fig*.cpp).
// (add one declaration and one line below per experiment)
Experiment make_fig1_experiment();
Experiment make_fig2_experiment();
Experiment make_fig3_experiment();
Experiment make_fig4_5_experiment();

const std::vector<Experiment>& experiments() {
  static const std::vector<Experiment> all = {
      make_fig1_experiment(),
      make_fig2_experiment(),
      make_fig3_experiment(),
      make_fig4_5_experiment(),
  };
  return all;
}

}  // namespace nrc
