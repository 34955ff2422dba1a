"""The published walk-through's methods, kept for comparison only (not part of the fsat_nb library).

"Multi-Label Audio Classification Using Spectrogram Images" is a blog post on Freesound Audio Tagging 2019 with
librosa, matplotlib-exported spectrograms and a fine-tuned ConvNeXt-Tiny. The benchmarks measure its export and its
training metric against this project's, and the notebooks show them once; both import them from here:

    import sys; sys.path.insert(0, 'benchmarks'); from walkthrough import walkthrough_png, batch_lrap
"""
from pathlib import Path
import numpy as np

def walkthrough_png(audio, png, n_fft=2560, hop_length=512, n_mels=128, fmin=20, fmax=22050):
    "The walk-through's export: `specshow` of the mel spectrogram into a matplotlib figure, axes hidden, saved at 400 dpi."
    import librosa, librosa.display
    import matplotlib.pyplot as plt
    y, sr = librosa.load(audio, sr=None)
    S = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels, fmin=fmin, fmax=fmax)
    fig, ax = plt.subplots()
    librosa.display.specshow(librosa.power_to_db(S, ref=np.max), sr=sr, hop_length=hop_length, ax=ax)
    ax.axis('off')
    fig.savefig(png, dpi=400, bbox_inches='tight', pad_inches=0)
    plt.close(fig)

def batch_lrap(truth, scores, bs=32):
    "The walk-through's training metric: scikit-learn LRAP per batch of `bs` clips, averaged over batches (not lwlrap)."
    from sklearn.metrics import label_ranking_average_precision_score
    truth, scores = np.asarray(truth), np.asarray(scores)
    return float(np.mean([label_ranking_average_precision_score(truth[i:i + bs], scores[i:i + bs]) for i in range(0, len(truth), bs)]))
