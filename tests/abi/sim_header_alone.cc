// The simulator's public header, alone, from C++.
#include <libiommufd-sim.h>

int main()
{
	struct iofd_sim_opts o = {};
	struct iofd_sim *sim = nullptr;
	int r;

	o.sz = sizeof(o);
	o.flags = IOFD_SIM_CAP_IPC_LOCK;
	r = iofd_sim_new(&sim, &o);
	iofd_sim_free(sim);
	return r;
}
