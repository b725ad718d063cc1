//! torch-audio datasets on the shared data: the spoken-digits folder with its CSV splits
//! (speaker-disjoint train/val/test plus the human recordings), a Speech-Commands list-file
//! layout, the LibriVox `fileids` + `transcription` layout and a LibriSpeech layout built from
//! it, and the padding collate.

use std::collections::HashSet;

use torch_audio::datasets::{
    AudioFolder, LibriSpeech, SpeechCommands, TranscribedUtterances, pad_waveforms,
};
use torch_audio::io::{LoadOptions, load};
use torch_core::Tensor;
use torch_core::data::Dataset;
use torch_core::testing::shared_data;

fn digits_root() -> std::path::PathBuf {
    shared_data().join("audio/spoken-digits")
}

#[test]
fn spoken_digits_csv_splits_are_speaker_disjoint() {
    let root = digits_root();
    let split = |s| SpeechCommands::from_csv(&root, root.join("index.csv"), Some(s)).unwrap();
    let (train, val, test, human) = (
        split("train"),
        split("val"),
        split("test"),
        split("human_test"),
    );
    assert_eq!(
        (train.len(), val.len(), test.len(), human.len()),
        (270, 60, 60, 10)
    );
    let all = SpeechCommands::from_csv(&root, root.join("index.csv"), None).unwrap();
    assert_eq!(all.len(), 400);
    let digits = [
        "eight", "five", "four", "nine", "one", "seven", "six", "three", "two", "zero",
    ];
    assert_eq!(all.labels, digits);
    let speakers = |d: &SpeechCommands| -> HashSet<String> {
        (0..d.len()).map(|i| d.get(i).unwrap().speaker_id).collect()
    };
    let (st, sv, ss) = (speakers(&train), speakers(&val), speakers(&test));
    assert!(st.is_disjoint(&sv) && st.is_disjoint(&ss) && sv.is_disjoint(&ss));
    let h = human.get(3).unwrap();
    assert_eq!(h.speaker_id, "human_asterisk_allison");
    assert_eq!(
        (h.waveform.shape(), h.sample_rate),
        (&[1usize, 16000][..], 16000)
    );
    assert_eq!(all.labels[h.label_id as usize], h.label);
    assert_eq!(human.file(3).unwrap().split('/').next().unwrap(), h.label);
    assert!(train.get(270).is_err());
}

#[test]
fn speech_commands_list_files_split_like_torchaudio() {
    // A SPEECHCOMMANDS layout: <label>/<speaker>_nohash_<n>.wav, list files, _background_noise_.
    let dir = tempfile::tempdir().unwrap();
    let src = digits_root();
    for (label, file, speaker) in [
        ("zero", "espeak_en-029_f2.wav", "aa"),
        ("zero", "espeak_en-029_f4.wav", "bb"),
        ("one", "espeak_en-029_f2.wav", "aa"),
        ("one", "espeak_en-029_m3.wav", "cc"),
        ("_background_noise_", "espeak_en-029_m3.wav", "zz"),
    ] {
        std::fs::create_dir_all(dir.path().join(label)).unwrap();
        let from = src
            .join(if label.starts_with('_') { "one" } else { label })
            .join(file);
        std::fs::copy(
            from,
            dir.path()
                .join(label)
                .join(format!("{speaker}_nohash_1.wav")),
        )
        .unwrap();
    }
    std::fs::write(
        dir.path().join("validation_list.txt"),
        "one/cc_nohash_1.wav\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("testing_list.txt"),
        "zero/bb_nohash_1.wav\n",
    )
    .unwrap();
    let train = SpeechCommands::from_lists(dir.path(), Some("training")).unwrap();
    let files: Vec<&str> = (0..train.len()).map(|i| train.file(i).unwrap()).collect();
    assert_eq!(files, ["one/aa_nohash_1.wav", "zero/aa_nohash_1.wav"]);
    let val = SpeechCommands::from_lists(dir.path(), Some("validation")).unwrap();
    let s = val.get(0).unwrap();
    assert_eq!(
        (s.label.as_str(), s.speaker_id.as_str(), s.utterance_number),
        ("one", "cc", 1)
    );
    assert_eq!(val.labels, ["one", "zero"]);
    let (orig, _) = load(src.join("one/espeak_en-029_m3.wav"), LoadOptions::default()).unwrap();
    assert_eq!(s.waveform.to_vec_f64().unwrap(), orig.to_vec_f64().unwrap());
    assert_eq!(
        SpeechCommands::from_lists(dir.path(), Some("testing"))
            .unwrap()
            .len(),
        1
    );
    assert!(SpeechCommands::from_lists(dir.path(), Some("train")).is_err());
}

#[test]
fn librivox_transcriptions_and_librispeech_layout() {
    let root = shared_data().join("audio/librivox");
    let ds = TranscribedUtterances::new(&root).unwrap();
    assert_eq!(ds.len(), 5);
    let u = ds.get(1).unwrap();
    assert_eq!(u.fileid, "sense_and_sensibility_01_austen_64kb-0880");
    assert_eq!(u.transcript, "he was not an ill disposed young man");
    assert_eq!(
        (u.sample_rate, u.waveform.shape()),
        (16000, &[1usize, 47840][..])
    );

    // LibriSpeech: <speaker>/<chapter>/<speaker>-<chapter>-<utt>.flac + .trans.txt.
    let dir = tempfile::tempdir().unwrap();
    let ch = dir.path().join("84/121123");
    std::fs::create_dir_all(&ch).unwrap();
    std::fs::copy(
        root.join("sense_and_sensibility_01_austen_64kb-0880.flac"),
        ch.join("84-121123-0001.flac"),
    )
    .unwrap();
    std::fs::copy(
        root.join("sense_and_sensibility_01_austen_64kb-0880.flac"),
        ch.join("84-121123-0000.flac"),
    )
    .unwrap();
    std::fs::write(
        ch.join("84-121123.trans.txt"),
        "84-121123-0001 HE WAS NOT AN ILL DISPOSED YOUNG MAN\n84-121123-0000 FIRST\n",
    )
    .unwrap();
    let ls = LibriSpeech::new(dir.path()).unwrap();
    assert_eq!(ls.len(), 2);
    let s = ls.get(1).unwrap();
    assert_eq!(
        (s.speaker_id, s.chapter_id, s.utterance_id),
        (84, 121123, 1)
    );
    assert_eq!(s.transcript, "HE WAS NOT AN ILL DISPOSED YOUNG MAN");
    assert_eq!(
        s.waveform.to_vec_f64().unwrap(),
        u.waveform.to_vec_f64().unwrap()
    );
    assert_eq!(ls.get(0).unwrap().transcript, "FIRST");
}

#[test]
fn pad_waveforms_zero_pads_to_the_longest() {
    let a = Tensor::from_vec(vec![1.0f32, 2.0, 3.0], &[1, 3]).unwrap();
    let b = Tensor::from_vec(vec![4.0f32], &[1, 1]).unwrap();
    let (batch, lengths) = pad_waveforms(&[a.clone(), b]).unwrap();
    assert_eq!(batch.shape(), &[2, 1, 3]);
    assert_eq!(
        batch.to_vec::<f32>().unwrap(),
        vec![1.0, 2.0, 3.0, 4.0, 0.0, 0.0]
    );
    assert_eq!(lengths, vec![3, 1]);
    let stereo = Tensor::zeros(&[2, 2], Default::default()).unwrap();
    assert!(pad_waveforms(&[a, stereo]).is_err());
    assert!(pad_waveforms(&[]).is_err());
}

#[test]
fn audio_folder_indexes_class_folders() {
    let ds = AudioFolder::new(shared_data().join("audio/asterisk-en")).unwrap();
    assert_eq!(ds.classes, ["digits", "letters"]);
    assert_eq!(ds.len(), 36);
    assert_eq!(ds.samples.iter().filter(|s| s.1 == 0).count(), 10);
    let (w, sr, class) = ds.get(12).unwrap();
    assert_eq!((sr, class), (8000, 1));
    assert!(ds.samples[12].0.ends_with("letters/c.wav"));
    let (direct, _) = load(&ds.samples[12].0, LoadOptions::default()).unwrap();
    assert_eq!(w.to_vec_f64().unwrap(), direct.to_vec_f64().unwrap());
    let digits = AudioFolder::new(digits_root()).unwrap();
    assert_eq!((digits.classes.len(), digits.len()), (10, 400));
    let empty = tempfile::tempdir().unwrap();
    assert!(AudioFolder::new(empty.path()).is_err());
    assert!(ds.get(36).is_err());
}
