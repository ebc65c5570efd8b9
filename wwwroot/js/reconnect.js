// Makes Blazor's reconnect dialog (Components/Layout/ReconnectModal.razor) recover by itself: a failed reconnect is
// retried every few seconds and at once when the tab becomes visible again; a rejected one (the server restarted
// and no longer knows this session) reloads the page.

const modal = document.getElementById('components-reconnect-modal');
const RETRY_MS = 5000;
let timer;

async function retry() {
  clearTimeout(timer);
  try {
    // Blazor.reconnect() resolves false when the server rejects the circuit: only a reload helps then.
    const reconnected = await window.Blazor?.reconnect?.();
    if (reconnected === false) {
      location.reload();
    }
  } catch {
    schedule();
  }
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(retry, RETRY_MS);
}

if (modal) {
  new MutationObserver(() => {
    if (modal.classList.contains('components-reconnect-rejected')) {
      location.reload();
    } else if (modal.classList.contains('components-reconnect-failed')) {
      schedule();
    } else {
      clearTimeout(timer);
    }
  }).observe(modal, { attributes: true, attributeFilter: ['class'] });

  modal.querySelector('.pm-reconnect-retry')?.addEventListener('click', retry);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && modal.classList.contains('components-reconnect-failed')) {
      retry();
    }
  });
}
